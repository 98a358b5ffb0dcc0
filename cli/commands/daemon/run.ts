/** `agentid daemon run`: the daemon in the foreground, logging to stderr (systemd, debugging). */
import type { CommandSpec } from '../../command.js';

export const daemonRun: CommandSpec = {
  path: ['daemon', 'run'],
  summary: 'run the daemon in the foreground (logs to stderr; SIGTERM or Ctrl-C stops it)',
  examples: ['agentid daemon run', 'AGENTID_HOME=/tmp/agentid-test agentid daemon run'],
  async run() {
    // Loaded only here: other commands must not pay for SQLite and the server at startup.
    const { runDaemon } = await import('../../../daemon/main.js');
    await runDaemon();
    return 0;
  },
};
