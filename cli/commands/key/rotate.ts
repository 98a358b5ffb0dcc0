/** `agentid key rotate`: a new JWT signing key; the old one keeps verifying until its tokens expire. */

import { endpoints } from '../../../src/protocol/client/index.js';
import { type CommandSpec, jsonOption, printJson } from '../../command.js';

export const keyRotate: CommandSpec = {
  path: ['key', 'rotate'],
  summary: 'rotate the JWT signing key (the previous key stays in the JWKS until its tokens expire)',
  options: [jsonOption],
  examples: ['agentid key rotate'],
  async run({ opts }, deps) {
    const rotated = await deps.daemon.call(endpoints.keyRotate);
    if (opts.json) printJson(deps, rotated);
    else deps.out(`signing key rotated: ${rotated.previousKid} -> ${rotated.kid}\n`);
    return 0;
  },
};
