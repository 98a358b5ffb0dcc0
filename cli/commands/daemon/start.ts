/** `agentid daemon start`: start a detached daemon unless one runs; return once it answers. */
import { type CommandSpec, jsonOption, printJson } from '../../command.js';

export const daemonStart: CommandSpec = {
  path: ['daemon', 'start'],
  summary: 'start the daemon in the background (no-op when it already runs)',
  options: [jsonOption],
  examples: ['agentid daemon start', 'agentid daemon start --json'],
  async run({ opts }, deps) {
    const { status, started } = await deps.daemon.start();
    if (opts.json) {
      printJson(deps, { started, pid: status.pid, socket: status.socket, log: deps.paths.daemonLog });
    } else {
      const what = started ? 'started' : 'already running';
      deps.out(`agentid daemon ${what} (pid ${status.pid})\n  socket: ${status.socket}\n`);
      if (started) deps.out(`  log:    ${deps.paths.daemonLog}\n`);
    }
    return 0;
  },
};
