/** Where install-shim writes, and the commands every setup writes and doctor runs back. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  awsCredentialProcessValue,
  gitHelperValue,
  gitHelperWords,
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
  it('is the same absolute, shell-quoted command in MCP, the shim and the Node helper setup aws --command writes', () => {
    const words = "/usr/bin/node '/home/me/my agentid/dist/cli/main.js'";
    expect(mcpLauncher(launcher)).toEqual({ command: '/usr/bin/node', args: [launcher.script] });
    expect(shimScript(launcher, 'git-credential')).toContain(`exec ${words} git-credential "$@"\n`);
    const site = { paths: { helpersDir: '/unused' }, agentid: launcher };
    expect(awsCredentialProcessValue(site, 'dev', words)).toBe(`${words} aws credential-process dev`);
  });

  it('git and the AWS tools get the thin sh helper, written with that command for its fallback', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentid-helpers-'));
    try {
      const site = { paths: { helpersDir: join(dir, 'my bin') }, agentid: launcher };
      const git = gitHelperWords(site);
      expect(git).toEqual([join(dir, 'my bin', 'git-credential-agentid')]);
      expect(gitHelperValue(git, 'gh')).toBe(`!'${git[0]}' --credential gh`);
      expect(awsCredentialProcessValue(site, 'dev')).toBe(
        `'${join(dir, 'my bin', 'aws-credential-process')}' dev`,
      );
      for (const file of ['git-credential-agentid', 'aws-credential-process']) {
        expect(readFileSync(join(dir, 'my bin', file), 'utf8')).toContain(`CLI='${launcher.script}'`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is probed the way each tool runs it, without asking for a credential', () => {
    expect(probes.gitHelper('agentid')).toBe('git credential-agentid erase </dev/null');
    expect(probes.gitHelper('store')).toBeNull();
    expect(probes.gitHelper("!/usr/bin/node '/src/x y/dist/cli/main.js' git-credential")).toBe(
      "/usr/bin/node '/src/x y/dist/cli/main.js' git-credential erase </dev/null",
    );
    expect(probes.gitHelper('!gh auth git-credential')).toBeNull();
    expect(probes.gitHelper("!'/h/my bin/git-credential-agentid' --credential gh")).toMatch(
      /^out=\$\('\/h\/my bin\/git-credential-agentid' --help 2>&1\)/,
    );
    expect(probes.awsCredentialProcess(`${process.execPath} /x/main.js aws credential-process dev`)).toBe(
      `${process.execPath} /x/main.js --version`,
    );
    expect(probes.awsCredentialProcess("'/h/my bin/aws-credential-process' dev")).toBe(
      "'/h/my bin/aws-credential-process' --help >/dev/null",
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

  it("fails the probe of a thin helper whose Node fallback is gone (the git one itself exits 0 then, for git's sake)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentid-helpers-'));
    try {
      const gone = { node: join(dir, 'no-node'), script: join(dir, 'no-main.js') };
      const site = { paths: { helpersDir: dir }, agentid: gone };
      const env = { PATH: '/usr/bin:/bin', HOME: dir };
      const git = probes.gitHelper(gitHelperValue(gitHelperWords(site)));
      const aws = probes.awsCredentialProcess(awsCredentialProcessValue(site, 'dev'));
      for (const probe of [git, aws]) {
        const run = spawnSync('sh', ['-c', probe ?? 'exit 99'], { env, encoding: 'utf8' });
        expect(run.status).not.toBe(0);
        expect(run.stderr).toContain('run agentid setup');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
