/** `agentid jwks`: the JWKS document that verifies agent JWTs (for a service's config). */

import { endpoints } from '../../src/protocol/client/index.js';
import type { CommandSpec } from '../command.js';

export const jwks: CommandSpec = {
  path: ['jwks'],
  summary: 'print the public keys (JWKS JSON) that verify agentid tokens',
  examples: ['agentid jwks > jwks.json', 'agentid jwks | jq -r ".keys[0].kid"'],
  async run(_input, deps) {
    deps.out(`${JSON.stringify(await deps.daemon.call(endpoints.jwks), null, 2)}\n`);
    return 0;
  },
};
