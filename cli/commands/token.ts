/**
 * `agentid token --audience AUD`: print a short-lived agent JWT (sub = you, act.sub = the agent)
 * for a service that verifies it against `agentid jwks`. Only the token goes to stdout, so
 * `$(agentid token --audience api)` works.
 */
import { AgentIdError } from '../../src/errors.js';
import { endpoints, type TokenRequest } from '../../src/protocol/client/index.js';
import { type CommandSpec, jsonOption, printJson } from '../command.js';

export const token: CommandSpec = {
  path: ['token'],
  summary: 'print a short-lived agent identity JWT for one audience (policy action jwt)',
  options: [
    { flags: '--audience <aud>', description: 'the service the token is for (its aud claim)' },
    {
      flags: '--credential <name>',
      description: 'a jwt credential from config.toml',
      defaultValue: 'identity',
    },
    jsonOption,
  ],
  examples: [
    'agentid token --audience api.internal',
    'curl -H "Authorization: Bearer $(agentid token --audience api.internal)" https://api.internal/',
    'agentid token --audience api --json | jq .expiresAt',
  ],
  async run({ opts }, deps) {
    if (typeof opts.audience !== 'string')
      throw new AgentIdError('ERR_USAGE', '--audience <aud> is required');
    const request: TokenRequest = { audience: opts.audience, credential: String(opts.credential) };
    const issued = await deps.daemon.call(endpoints.token, request);
    if (opts.json) printJson(deps, issued);
    else deps.out(`${issued.token}\n`);
    return 0;
  },
};
