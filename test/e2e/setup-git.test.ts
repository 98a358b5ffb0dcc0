/**
 * `agentid setup git` against real git config files in a temp HOME: writes the thin helper and
 * the gh-style entries, is idempotent, leaves other sections alone, `--local` writes the
 * repository, `--remove` undoes.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliPath, type Home, makeHome, runCli } from './harness.js';

describe('agentid setup git', () => {
  let home: Home;
  let env: NodeJS.ProcessEnv;
  let gitconfig: string;
  beforeEach(() => {
    home = makeHome();
    gitconfig = join(home.dir, 'gitconfig');
    writeFileSync(gitconfig, '[user]\n\tname = me\n[credential]\n\thelper = store\n');
    env = { HOME: home.dir, GIT_CONFIG_GLOBAL: gitconfig, GIT_CONFIG_NOSYSTEM: '1' };
  });
  afterEach(() => home.cleanup());

  const getAll = (key: string) =>
    spawnSync('git', ['config', '--global', '--get-all', key], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    })
      .stdout.split('\n')
      .slice(0, -1);

  it('writes the reset, the helper by absolute path and useHttpPath, idempotently', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await runCli(home, ['setup', 'git', '--host', 'github.com', '--credential', 'gh'], { env });
      expect(r.code, r.stderr).toBe(0);
    }
    // The thin sh helper, written into the data dir with this CLI's paths for its Node fallback.
    const helper = join(home.dir, 'bin', 'git-credential-agentid');
    expect(getAll('credential.https://github.com.helper')).toEqual(['', `!${helper} --credential gh`]);
    expect(statSync(helper).mode & 0o777).toBe(0o700);
    expect(readFileSync(helper, 'utf8')).toContain(`CLI=${cliPath}`);
    expect(getAll('credential.https://github.com.usehttppath')).toEqual(['true']);
    const text = readFileSync(gitconfig, 'utf8');
    expect(text).toContain('[user]\n\tname = me');
    expect(getAll('credential.helper')).toEqual(['store']);

    const removed = await runCli(home, ['setup', 'git', '--host', 'github.com', '--remove', '--json'], {
      env,
    });
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ url: 'https://github.com', removed: true });
    expect(getAll('credential.https://github.com.helper')).toEqual([]);
    expect(getAll('credential.helper')).toEqual(['store']);
  });

  it('--local writes the current repository and fails outside one with exit 2', async () => {
    const outside = await runCli(home, ['setup', 'git', '--host', 'github.com', '--local'], {
      env: { ...env, GIT_DIR: join(home.dir, 'no-repo') },
    });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('--local needs to run inside a git repository');
  });

  it('has --help with an example', async () => {
    const help = await runCli(home, ['setup', 'git', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('agentid setup git --host github.com --credential gh');
  });
});
