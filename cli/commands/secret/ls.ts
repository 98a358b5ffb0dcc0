/** `agentid secret ls`: names of the stored secrets; values are never shown. */
import { endpoints } from '../../../src/protocol/index.js';
import { type CommandSpec, jsonOption, printJson } from '../../command.js';

export const secretLs: CommandSpec = {
  path: ['secret', 'ls'],
  summary: 'list secret names (never values)',
  options: [jsonOption],
  examples: ['agentid secret ls', 'agentid secret ls --json'],
  async run({ opts }, deps) {
    const { names } = await deps.daemon.call(endpoints.secretList);
    if (opts.json) printJson(deps, { names });
    else deps.out(names.length ? `${names.join('\n')}\n` : 'no secrets stored\n');
    return 0;
  },
};
