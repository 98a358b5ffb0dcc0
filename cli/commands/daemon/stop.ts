/** `agentid daemon stop`: ask the daemon to shut down and wait until it has released its lock. */
import { callEndpoint, endpoints } from '../../../src/protocol/client/index.js';
import { type CommandSpec, jsonOption, printJson } from '../../command.js';

const STOP_TIMEOUT_MS = 15_000;

export const daemonStop: CommandSpec = {
  path: ['daemon', 'stop'],
  summary: 'stop the running daemon gracefully (in-flight requests finish first)',
  options: [jsonOption],
  examples: ['agentid daemon stop', 'agentid daemon stop --json'],
  async run({ opts }, deps) {
    const running = await deps.daemon.probe();
    if (!running) {
      if (opts.json) printJson(deps, { stopped: false, running: false });
      else deps.out('agentid daemon is not running\n');
      return 0;
    }
    await callEndpoint({ socket: deps.paths.socket, uid: deps.uid }, endpoints.shutdown, []);
    // The lock goes only after the audit log is closed: that is "stopped", not a closed socket.
    const { daemonLockHeld } = await import('../../../src/instance.js');
    const deadline = deps.now().getTime() + STOP_TIMEOUT_MS;
    while (daemonLockHeld(deps.paths.lockFile)) {
      if (deps.now().getTime() > deadline) {
        deps.err(`agentid daemon (pid ${running.pid}) has not stopped after ${STOP_TIMEOUT_MS / 1000} s\n`);
        return 1;
      }
      await deps.sleep(50);
    }
    if (opts.json) printJson(deps, { stopped: true, pid: running.pid });
    else deps.out(`agentid daemon stopped (pid ${running.pid})\n`);
    return 0;
  },
};
