/**
 * `agentid setup git` against real git config files in a temp HOME: writes the thin helper and
 * the gh-style entries, is idempotent, leaves other sections alone, `--local` writes the
 * repository, `--remove` undoes; and against a real git server on plain http: the scheme --host
 * names is the one git asks for.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GitHttp, startGitHttp } from '../peers/git-http.js';
import { cliPath, collect, type Daemon, type Home, makeHome, runCli, startDaemon } from './harness.js';

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

describe('agentid setup git against a git server on plain http', () => {
  const SECRET = `pw-${process.pid}-over-http`;
  let server: GitHttp;
  let env: NodeJS.ProcessEnv;
  const t = {} as { home: Home; daemon: Daemon };

  beforeAll(async () => {
    t.home = makeHome();
    const root = join(t.home.dir, 'repos');
    spawnSync('git', ['init', '--bare', '--quiet', join(root, 'acme/app.git')]);
    server = await startGitHttp({ root, authorize: (a) => a.username === 'bot' && a.password === SECRET });
    writeFileSync(
      join(t.home.dir, 'config.toml'),
      `[secrets]\nbackend = "file"\n\n[credentials.forge]\ntype = "static"\nsecret = "forge-pw"\nhost = "127.0.0.1:${server.port}"\nusername = "bot"\n`,
    );
    mkdirSync(join(t.home.dir, 'policy'));
    writeFileSync(
      join(t.home.dir, 'policy', 'git.cedar'),
      'permit(principal, action == Action::"git", resource == Credential::"forge");\n',
    );
    t.daemon = await startDaemon(t.home);
    const set = await runCli(t.home, ['secret', 'set', 'forge-pw'], { input: SECRET });
    expect(set.code, set.stderr).toBe(0);
    const gitconfig = join(t.home.dir, 'gitconfig');
    writeFileSync(gitconfig, '');
    env = {
      HOME: t.home.dir,
      GIT_CONFIG_GLOBAL: gitconfig,
      GIT_CONFIG_NOSYSTEM: '1',
      // A prompt would hang a test: git fails instead when no helper answers.
      GIT_TERMINAL_PROMPT: '0',
    };
  });
  afterAll(async () => {
    await t.daemon?.stop();
    await server?.close();
    t.home?.cleanup();
  });

  // Async: the git server runs in this process, so a synchronous git would wait on itself.
  const clone = (to: string) =>
    collect(
      spawn(
        'git',
        ['clone', '--quiet', `http://127.0.0.1:${server.port}/acme/app.git`, join(t.home.dir, to)],
        {
          env: { ...t.home.env, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ),
    );

  it('a bare host:port says https was assumed, and an http remote is then not served', async () => {
    const bare = await runCli(
      t.home,
      ['setup', 'git', '--host', `127.0.0.1:${server.port}`, '--credential', 'forge'],
      {
        env,
      },
    );
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stdout).toContain(`https://127.0.0.1:${server.port}`);
    expect(bare.stderr).toContain(
      `https was assumed; for a server on plain http use --host http://127.0.0.1:${server.port}`,
    );
    const failed = await clone('bare');
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/could not read Username|terminal prompts disabled/);
    await runCli(t.home, ['setup', 'git', '--host', `127.0.0.1:${server.port}`, '--remove'], { env });
  });

  it('--host http://host:port (a clone URL works too) makes git clone over http without a prompt', async () => {
    const url = `http://127.0.0.1:${server.port}/acme/app.git`;
    const setup = await runCli(t.home, ['setup', 'git', '--host', url, '--credential', 'forge', '--json'], {
      env,
    });
    expect(setup.code, setup.stderr).toBe(0);
    expect(JSON.parse(setup.stdout)).toMatchObject({
      url: `http://127.0.0.1:${server.port}`,
      assumedScheme: false,
      ignoredPath: '/acme/app.git',
    });
    const cloned = await clone('http');
    expect(cloned.code, cloned.stderr).toBe(0);
    expect(server.attempts.filter((a) => a.allowed)).not.toEqual([]);
    const doctor = await runCli(t.home, ['doctor', '--json'], { env });
    const git = (
      JSON.parse(doctor.stdout) as { checks: { id: string; status: string; detail: string }[] }
    ).checks.find((c) => c.id === 'git');
    expect(git).toMatchObject({ status: 'pass', detail: `127.0.0.1:${server.port} (http)` });
  });
});
