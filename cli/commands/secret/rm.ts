/** `agentid secret rm NAME`: delete a secret from the store. */

import { endpoints } from '../../../src/protocol/client/index.js';
import { type CommandSpec, jsonOption, printJson } from '../../command.js';

export const secretRm: CommandSpec = {
  path: ['secret', 'rm'],
  summary: 'delete a secret',
  arguments: [{ name: '<name>', description: 'secret name' }],
  options: [jsonOption],
  examples: ['agentid secret rm ci-token'],
  async run({ opts, args }, deps) {
    const name = args[0] ?? '';
    await deps.daemon.call(endpoints.secretRemove, { name });
    if (opts.json) printJson(deps, { name, removed: true });
    else deps.err(`removed secret ${name}\n`);
    return 0;
  },
};
