/** `agentid logout`: ends the SSO session: revoked at the provider where it can be, forgotten here. */
import { endpoints } from '../../src/protocol/client/index.js';
import { type CommandSpec, jsonOption, printJson } from '../command.js';

export const logout: CommandSpec = {
  path: ['logout'],
  summary: 'log out: revoke the SSO session at the provider and delete it from the keychain',
  options: [jsonOption],
  examples: ['agentid logout', 'agentid logout --json'],
  async run({ opts }, deps) {
    const result = await deps.daemon.call(endpoints.logout);
    if (opts.json) printJson(deps, result);
    else if (!result.loggedOut) deps.err('nobody was logged in\n');
    else
      deps.err(
        `logged out${result.revoked ? ' (revoked at the provider)' : ' (the provider did not revoke it)'}\n`,
      );
    return 0;
  },
};
