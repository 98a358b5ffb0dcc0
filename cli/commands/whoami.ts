/** `agentid whoami`: what the daemon sees of this very process, and the human it is bound to. */
import type { WhoamiResponse } from '../../src/protocol/index.js';
import { type CommandSpec, jsonOption, printJson } from '../command.js';

export const whoami: CommandSpec = {
  path: ['whoami'],
  summary: 'show how the daemon identifies the caller: process, agent and human',
  options: [jsonOption],
  examples: ['agentid whoami', 'agentid whoami --json | jq .peer.exe'],
  async run({ opts }, deps) {
    const me = await deps.daemon.call<WhoamiResponse>('/v1/whoami');
    if (opts.json) {
      printJson(deps, me);
      return 0;
    }
    deps.out(
      `${[
        `agent:   ${me.agent}`,
        `human:   ${me.human.sub} (idp ${me.human.idp})`,
        `process: pid ${me.peer.pid}, uid ${me.peer.uid}, gid ${me.peer.gid}`,
        `exe:     ${me.peer.exe ?? '(unreadable)'}`,
        `pidfd:   ${me.peer.pidfd ? 'yes (pid reuse cannot fool the daemon)' : 'no (kernel without SO_PEERPIDFD)'}`,
        `audit:   recorded as seq ${me.auditSeq}`,
      ].join('\n')}\n`,
    );
    return 0;
  },
};
