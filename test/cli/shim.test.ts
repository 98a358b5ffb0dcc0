/** Where install-shim writes, and the commands every setup writes and doctor runs back. */
import { describe, expect, it } from 'vitest';
import {
  awsCredentialProcessValue,
  gitHelperValue,
  mcpLauncher,
  probes,
  shimScript,
} from '../../cli/setup/helper-command.js';
import { chooseShimDir } from '../../cli/setup/shim.js';

const launcher = { node: '/usr/bin/node', script: '/home/me/my agentid/dist/cli/main.js' };

describe('chooseShimDir', () => {
  it.each([
    [
      '~/.local/bin on PATH',
      '/home/me/.local/bin:/usr/bin',
      1000,
      { dir: '/home/me/.local/bin', onPath: true },
    ],
    ['~/bin on PATH', '/usr/bin:/home/me/bin', 1000, { dir: '/home/me/bin', onPath: true }],
    ['root with /usr/local/bin', '/usr/local/bin:/usr/bin', 0, { dir: '/usr/local/bin', onPath: true }],
    [
      'not root, nothing of ours on PATH',
      '/usr/local/bin:/usr/bin',
      1000,
      { dir: '/home/me/.local/bin', onPath: false },
    ],
    [
      'a trailing slash still counts',
      '/home/me/.local/bin/:/usr/bin',
      1000,
      { dir: '/home/me/.local/bin', onPath: true },
    ],
  ])('%s', (_, PATH, uid, expected) => {
    expect(chooseShimDir({ PATH, HOME: '/home/me' }, '/nope', uid)).toEqual(expected);
  });
});

describe('the one agentid command', () => {
  it('is the same absolute, shell-quoted command in git, AWS, MCP and the shim', () => {
    const words = "/usr/bin/node '/home/me/my agentid/dist/cli/main.js'";
    expect(gitHelperValue(launcher, 'gh')).toBe(`!${words} git-credential --credential gh`);
    expect(awsCredentialProcessValue(launcher, 'dev')).toBe(`${words} aws credential-process dev`);
    expect(mcpLauncher(launcher)).toEqual({ command: '/usr/bin/node', args: [launcher.script] });
    expect(shimScript(launcher, 'git-credential')).toContain(`exec ${words} git-credential "$@"\n`);
  });

  it('is probed the way each tool runs it, without asking for a credential', () => {
    expect(probes.gitHelper(gitHelperValue(launcher))).toBe(
      "/usr/bin/node '/home/me/my agentid/dist/cli/main.js' git-credential erase </dev/null",
    );
    expect(probes.gitHelper('agentid')).toBe('git credential-agentid erase </dev/null');
    expect(probes.gitHelper('store')).toBeNull();
    expect(probes.gitHelper("!/usr/bin/node '/src/x y/dist/cli/main.js' git-credential")).toBe(
      "/usr/bin/node '/src/x y/dist/cli/main.js' git-credential erase </dev/null",
    );
    expect(probes.gitHelper('!gh auth git-credential')).toBeNull();
    expect(probes.awsCredentialProcess(awsCredentialProcessValue(launcher, 'dev'))).toBe(
      "/usr/bin/node '/home/me/my agentid/dist/cli/main.js' --version",
    );
    expect(probes.awsCredentialProcess('aws-vault export --format=json-credential-process dev')).toBeNull();
    expect(
      probes.mcpEntry({
        command: '/usr/bin/node',
        args: [launcher.script, 'mcp', '--name', 'fs', '--', 'x'],
      }),
    ).toEqual(['/usr/bin/node', launcher.script, '--version']);
    expect(probes.mcpEntry({ command: 'npx', args: ['-y', 'server'] })).toBeNull();
  });
});
