/** `agentid secret ls`: names of the stored secrets, and what agentid keeps there itself; values are never shown. */
import { endpoints } from '../../../src/protocol/client/index.js';
import { type CommandSpec, jsonOption, printJson } from '../../command.js';

export const secretLs: CommandSpec = {
  path: ['secret', 'ls'],
  summary: 'list secret names (never values)',
  options: [jsonOption],
  examples: ['agentid secret ls', 'agentid secret ls --json'],
  async run({ opts }, deps) {
    const { names, managed } = await deps.daemon.call(endpoints.secretList);
    if (opts.json) printJson(deps, { names, managed });
    else {
      deps.out(names.length ? `${names.join('\n')}\n` : 'no secrets set with `agentid secret set`\n');
      if (managed.length) deps.out(`kept by agentid itself:\n${managed.map((m) => `  ${m}\n`).join('')}`);
    }
    return 0;
  },
};
