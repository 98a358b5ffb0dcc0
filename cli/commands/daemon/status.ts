/** `agentid daemon status`: is a daemon running? Never starts one; exit 5 when none answers. */
import { ExitCode } from '../../../src/errors.js';
import { type CommandSpec, jsonOption, printJson } from '../../command.js';
import { formatStatus } from '../../format-status.js';

export const daemonStatus: CommandSpec = {
  path: ['daemon', 'status'],
  summary: 'show whether the daemon runs, its pid, socket and uptime (exit 5 when not running)',
  options: [jsonOption],
  examples: ['agentid daemon status', 'agentid daemon status --json | jq .pid'],
  async run({ opts }, deps) {
    const status = await deps.daemon.probe();
    if (opts.json) printJson(deps, status ? { running: true, ...status } : { running: false });
    else
      deps.out(
        status ? formatStatus(status) : `agentid daemon is not running (socket ${deps.paths.socket})\n`,
      );
    return status ? 0 : ExitCode.daemonUnavailable;
  },
};
