/**
 * `agentid status`: the overall picture for the user. Today that is the daemon (started if
 * needed); the login and policy state join it as those land.
 */
import { endpoints } from '../../src/protocol/client/index.js';
import { type CommandSpec, jsonOption, printJson } from '../command.js';
import { formatStatus } from '../format-status.js';

export const status: CommandSpec = {
  path: ['status'],
  summary: 'show the state of agentid (starts the daemon if needed)',
  options: [jsonOption],
  examples: ['agentid status', 'agentid status --json'],
  async run({ opts }, deps) {
    const current = await deps.daemon.call(endpoints.status);
    if (opts.json) printJson(deps, current);
    else deps.out(formatStatus(current));
    return 0;
  },
};
