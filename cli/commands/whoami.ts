/**
 * `agentid whoami`: what the daemon makes of this very process — attestation, the agent it
 * matched and why, the session, the human. Run it where an agent runs to write its selectors.
 */
import { endpoints } from '../../src/protocol/client/index.js';
import { type CommandSpec, jsonOption, printJson } from '../command.js';
import { formatIdentity } from '../format-identity.js';

export const whoami: CommandSpec = {
  path: ['whoami'],
  summary: 'show how the daemon identifies the caller: process, agent (and why), session, human',
  options: [jsonOption],
  examples: [
    'agentid whoami',
    'agentid whoami --json | jq .attestation.sha256',
    'agentid exec --agent demo -- agentid whoami',
  ],
  async run({ opts }, deps) {
    const me = await deps.daemon.call(endpoints.whoami);
    if (opts.json) printJson(deps, me);
    else deps.out(`${formatIdentity(me)}audit:     recorded as seq ${me.auditSeq}\n`);
    return 0;
  },
};
