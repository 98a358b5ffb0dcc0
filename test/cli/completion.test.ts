/**
 * Completion scripts come from the command specs: every command and option appears in all three,
 * and the bash one, run by a real bash, completes subcommands, options and nested paths.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commands, groups } from '../../cli/commands/index.js';
import { bashScript, completionTree, fishScript, zshScript } from '../../cli/completion.js';

const tree = completionTree(commands, groups);
const scripts = { bash: bashScript(tree), zsh: zshScript(tree), fish: fishScript(tree) };
const hasBash = spawnSync('bash', ['--version']).status === 0;

function bashComplete(line: string): string[] {
  const words = line.split(' ');
  const script = `${scripts.bash}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_agentid; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter(Boolean);
}

describe('shell completion', () => {
  it.each(Object.entries(scripts))('%s: names every command path and every option', (_shell, script) => {
    for (const spec of commands) {
      expect(script).toContain(spec.path.join(' '));
      for (const name of spec.path) expect(script).toContain(name);
      for (const option of spec.options ?? []) {
        const long = option.flags.split(/[ ,]+/).find((w) => w.startsWith('--')) ?? '';
        expect(script).toContain(long.replace(/^--/, ''));
      }
    }
  });

  it('has one node per command path and group', () => {
    const paths = new Set(tree.map((n) => n.path));
    for (const spec of commands) expect(paths).toContain(spec.path.join(' '));
    for (const group of Object.keys(groups)) expect(paths).toContain(group);
  });

  it.skipIf(!hasBash)('bash: the script parses and completes top level, nested paths and options', () => {
    expect(spawnSync('bash', ['-n', '-c', scripts.bash]).status).toBe(0);
    const top = bashComplete('agentid ');
    for (const spec of commands) expect(top).toContain(spec.path[0]);
    expect(bashComplete('agentid dae')).toEqual(['daemon']);
    expect(bashComplete('agentid daemon ')).toEqual(expect.arrayContaining(['start', 'stop', 'install']));
    expect(bashComplete('agentid daemon install --')).toEqual(
      expect.arrayContaining(['--print', '--force', '--json', '--help']),
    );
    // The value of an option that takes one is not a command word.
    expect(bashComplete('agentid exec --agent daemon --')).toContain('--nest');
    // After `--` the wrapped command's words are the shell's business.
    expect(bashComplete('agentid exec -- ')).toEqual([]);
  });
});
