/**
 * `agentid secret set NAME`: store a long-lived secret in the daemon's secret store. The value
 * comes from stdin (hidden prompt on a terminal), never from argv, where `ps` would show it.
 */
import { AgentIdError } from '../../../src/errors.js';
import { endpoints } from '../../../src/protocol/client/index.js';
import { type CommandSpec, jsonOption, printJson } from '../../command.js';

export const secretSet: CommandSpec = {
  path: ['secret', 'set'],
  summary: 'store a secret from stdin in the OS keychain (or the opted-in file backend)',
  arguments: [{ name: '<name>', description: 'secret name, e.g. github-app-key' }],
  options: [jsonOption],
  examples: [
    'agentid secret set github-app-key < app.pem',
    'printf %s "$TOKEN" | agentid secret set ci-token',
  ],
  async run({ opts, args }, deps) {
    const name = args[0] ?? '';
    // One trailing newline is what `echo` and editors add; it is never part of a secret.
    const value = (await deps.readSecretInput(`Value for ${name} (input hidden): `)).replace(/\r?\n$/, '');
    if (value === '')
      throw new AgentIdError('ERR_USAGE', 'no value on stdin; pipe it in: agentid secret set NAME < file');
    await deps.daemon.call(endpoints.secretSet, { name }, { value });
    if (opts.json) printJson(deps, { name, stored: true });
    else deps.err(`stored secret ${name}\n`);
    return 0;
  },
};
