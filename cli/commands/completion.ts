/**
 * `agentid completion bash|zsh|fish`: prints the completion script for a shell, generated from
 * the command table at run time, so it always matches the installed version.
 */
import { AgentIdError } from '../../src/errors.js';
import type { CommandSpec } from '../command.js';
import { readCommandTable } from '../command-table.js';
import { bashScript, completionTree, fishScript, zshScript } from '../completion.js';

const renderers = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;

export const completion: CommandSpec = {
  path: ['completion'],
  summary: 'print a shell completion script (bash, zsh or fish)',
  arguments: [{ name: '<shell>', description: 'bash, zsh or fish' }],
  examples: [
    'source <(agentid completion bash)            # in ~/.bashrc',
    'agentid completion zsh > ~/.zfunc/_agentid      # with fpath+=(~/.zfunc) in ~/.zshrc',
    'agentid completion fish > ~/.config/fish/completions/agentid.fish',
  ],
  async run({ args }, deps) {
    const shell = args[0] ?? '';
    if (!Object.hasOwn(renderers, shell)) {
      throw new AgentIdError('ERR_USAGE', `unknown shell ${JSON.stringify(shell)}: choose bash, zsh or fish`);
    }
    const { commands, groups } = readCommandTable();
    deps.out(renderers[shell as keyof typeof renderers](completionTree(commands, groups)));
    return 0;
  },
};
