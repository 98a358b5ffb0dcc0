/**
 * git through agentid, end to end with real git: a git http-backend server that accepts only
 * tokens the GitHub API stand-in issued (and only for the repositories they were issued for), the
 * real daemon and helper, and `git clone`/`git push` under `agentid exec`. Also: a denied agent
 * fails fast without a prompt and the audit row says why, a host not configured gets no answer,
 * the static path, the cache, and no token or secret in the audit DB, the daemon log or any argv.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHttp, git, makeAcmeRepos, startGitHttp } from '../peers/git-http.js';
import { type GithubApi, startGithubApi, tokenAllows } from '../peers/github-api.js';
import { type Daemon, type Home, makeHome, runCli, startDaemon } from './harness.js';

const helperPath = resolve('dist/cli/helpers/git-credential.js');
const STATIC_SECRET = `static-${Date.now()}-pa55word`;

/** Every command line of every process, sampled until stop() — to prove no token is in any argv. */
function sampleCmdlines(): { stop(): Set<string> } {
  const seen = new Set<string>();
  const timer = setInterval(() => {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        seen.add(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
      } catch {}
    }
  }, 2);
  return {
    stop() {
      clearInterval(timer);
      return seen;
    },
  };
}

describe('git credential helper with a GitHub App and a static secret', () => {
  let home: Home;
  let daemon: Daemon;
  let githubApi: GithubApi;
  let server: GitHttp;
  let gitEnv: NodeJS.ProcessEnv;
  let work: string;

  beforeAll(async () => {
    home = makeHome();
    work = join(home.dir, 'work');
    const root = join(home.dir, 'repos');
    mkdirSync(work);
    makeAcmeRepos(root, join(home.dir, 'seed'));

    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    githubApi = await startGithubApi({ appId: '4242', publicKey, installations: { acme: 77 } });
    server = await startGitHttp({
      root,
      authorize: (a) => (a.username === 'bot' && a.password === STATIC_SECRET) || tokenAllows(githubApi, a),
    });
    writeFileSync(
      join(home.dir, 'config.toml'),
      `[secrets]
backend = "file"

[credentials.gh]
type = "github-app"
app_id = 4242
private_key = "gh-app-key"
api_url = "${githubApi.url}"
hosts = ["127.0.0.1:${server.port}"]
permissions = { contents = "write", metadata = "read" }
timeout_ms = 5000

[credentials.pw]
type = "static"
secret = "pw-secret"
host = "localhost:${server.port}"
username = "bot"
`,
    );
    mkdirSync(join(home.dir, 'policy'));
    writeFileSync(
      join(home.dir, 'policy', 'git.cedar'),
      [
        '@id("demo-git") permit(principal == Agent::"demo", action == Action::"git", resource);',
        '@id("demo-static") permit(principal == Agent::"demo", action == Action::"static", resource);',
        '@id("no-blocked") forbid(principal == Agent::"blocked", action, resource);',
        // Decided on the repository, which only git's request will say.
        '@id("later-acme") permit(principal == Agent::"later", action == Action::"git", resource) when { context.request has gitPath && context.request.gitPath like "acme/*" };',
        // Decided on what the token would be good for, and on how it would travel.
        '@id("not-private") forbid(principal, action == Action::"git", resource) when { context.request has gitScope && context.request.gitScope == "repo:acme/private" && context.request has gitProtocol && context.request.gitProtocol == "http" };',
        '// Would let "blocked" in: the forbid above must win.',
        'permit(principal, action == Action::"git", resource) when { principal == Agent::"blocked" };',
      ].join('\n'),
    );
    daemon = await startDaemon(home);
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect((await runCli(home, ['secret', 'set', 'gh-app-key'], { input: pem })).code).toBe(0);
    expect((await runCli(home, ['secret', 'set', 'pw-secret'], { input: STATIC_SECRET })).code).toBe(0);

    const helper = `!'${process.execPath}' '${helperPath}'`;
    writeFileSync(
      join(home.dir, 'gitconfig'),
      [
        '[user]\n\tname = agent\n\temail = agent@example.test',
        ...[`http://127.0.0.1:${server.port}`, `http://localhost:${server.port}`].map(
          (url) => `[credential "${url}"]\n\thelper =\n\thelper = ${helper}\n\tuseHttpPath = true`,
        ),
      ].join('\n'),
    );
    gitEnv = {
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: join(home.dir, 'gitconfig'),
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: '',
      SSH_ASKPASS: '',
    };
  }, 30_000);

  afterAll(async () => {
    await daemon?.stop();
    await server?.close();
    await githubApi?.close();
    home?.cleanup();
  });

  const agentGit = (agent: string, args: string[], cwd = work) =>
    runCli(home, ['exec', '--agent', agent, '--', 'sh', '-c', 'cd "$0" && exec git "$@"', cwd, ...args], {
      env: gitEnv,
    });

  it('clones and pushes with an installation token narrowed to the one repository', async () => {
    const sampler = sampleCmdlines();
    const url = `http://127.0.0.1:${server.port}/acme/widgets.git`;
    const cloned = await agentGit('demo', ['clone', '--quiet', url, 'widgets']);
    expect(cloned.stderr).toBe('');
    expect(cloned.code).toBe(0);
    const checkout = join(work, 'widgets');
    expect(readFileSync(join(checkout, 'README'), 'utf8')).toBe('widgets\n');

    writeFileSync(join(checkout, 'CHANGE'), 'pushed by the agent\n');
    git(['add', 'CHANGE'], { cwd: checkout, env: { ...process.env, ...gitEnv } });
    git(['commit', '--quiet', '-m', 'agent change'], { cwd: checkout, env: { ...process.env, ...gitEnv } });
    const pushed = await agentGit('demo', ['push', '--quiet', 'origin', 'main'], checkout);
    expect(pushed.code, pushed.stderr).toBe(0);
    const cmdlines = sampler.stop();
    expect(
      git(['--git-dir', join(home.dir, 'repos/acme/widgets.git'), 'log', '--format=%s', 'main']),
    ).toContain('agent change');

    // Narrowed at the source: GitHub was asked for exactly this repository and these permissions.
    const created = githubApi.requests.filter((r) => r.path === '/app/installations/77/access_tokens');
    expect(created.every((r) => r.refused === null)).toBe(true);
    expect(created[0]?.body).toEqual({
      repositories: ['widgets'],
      permissions: { contents: 'write', metadata: 'read' },
    });
    // The installation was looked up by repository (no installation_id configured).
    expect(githubApi.requests.some((r) => r.path === '/repos/acme/widgets/installation' && !r.refused)).toBe(
      true,
    );
    // One token served clone and push: the second request came from the cache.
    expect(created).toHaveLength(1);
    const [token] = [...githubApi.tokens.keys()];
    expect(server.attempts.filter((a) => a.password === token && a.allowed).length).toBeGreaterThan(1);
    // The token cannot reach another repository of the same installation.
    const other = await fetch(
      `http://127.0.0.1:${server.port}/acme/private.git/info/refs?service=git-upload-pack`,
      {
        headers: { authorization: `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}` },
      },
    );
    expect(other.status).toBe(403);

    for (const line of cmdlines) expect(line).not.toContain(token);
    const auditRows = (await runCli(home, ['audit', '--json', '--action', 'git'])).stdout;
    const allow = JSON.parse(auditRows.trim().split('\n')[0] ?? '{}');
    expect(allow).toMatchObject({ decision: 'allow', agent: 'demo', resource: 'gh' });
    expect(allow.reason).toContain('repository=acme/widgets');
    expect(allow.policyIds).toEqual(['git.cedar:demo-git']);
    expect(allow.credentialFingerprint).toMatch(/^[0-9a-f]{64}$/);
  }, 60_000);

  it("`exec --git gh` makes the child's git use the helper with no git config of the user at all", async () => {
    const bare = join(home.dir, 'empty-gitconfig');
    writeFileSync(bare, '[user]\n\tname = agent\n\temail = agent@example.test\n');
    // git in an exec session of `demo` given `--git gh`, with only that empty user config.
    const execGit = (args: string[]) =>
      runCli(home, ['exec', '--agent', 'demo', '--git', 'gh', '--', 'git', ...args], {
        env: { ...gitEnv, GIT_CONFIG_GLOBAL: bare },
      });
    const url = `http://127.0.0.1:${server.port}/acme/widgets.git`;
    const checkout = join(work, 'via-exec-git');
    const cloned = await execGit(['clone', '--quiet', url, checkout]);
    expect(cloned.stderr).toBe('');
    expect(cloned.code).toBe(0);
    expect(readFileSync(join(checkout, 'README'), 'utf8')).toBe('widgets\n');
    writeFileSync(join(checkout, 'VIA_EXEC_GIT'), 'pushed through exec --git\n');
    const commit = ['-c', 'user.name=t', '-c', 'user.email=t@t'];
    git([...commit, 'add', 'VIA_EXEC_GIT'], { cwd: checkout, env: { ...process.env, ...gitEnv } });
    git([...commit, 'commit', '--quiet', '-m', 'via exec --git'], {
      cwd: checkout,
      env: { ...process.env, ...gitEnv },
    });
    const pushed = await execGit(['-C', checkout, 'push', '--quiet', 'origin', 'main']);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(
      git(['--git-dir', join(home.dir, 'repos/acme/widgets.git'), 'log', '--format=%s', 'main']),
    ).toContain('via exec --git');
    // The token the server saw was good for that one repository only.
    const minted = githubApi.requests.filter((r) => r.path === '/app/installations/77/access_tokens');
    expect(minted.at(-1)?.body).toMatchObject({ repositories: ['widgets'] });
    // The user's git config was not touched.
    expect(readFileSync(bare, 'utf8')).not.toContain('credential');
    const unknown = await runCli(home, ['exec', '--git', 'nope', '--', 'true'], { env: gitEnv });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('ERR_CREDENTIAL_UNKNOWN');
  });

  it('exec --git decides before the command starts: exit 3 and no command when no request could be permitted', async () => {
    const marker = join(home.dir, 'started');
    const run = (agent: string) =>
      runCli(home, ['exec', '--agent', agent, '--git', 'gh', '--', 'sh', '-c', 'echo > "$0"', marker], {
        env: gitEnv,
      });
    // A forbid that applies whatever git will ask, and an agent no permit names.
    for (const agent of ['blocked', 'nobody-permits-me']) {
      const denied = await run(agent);
      expect(denied.code, denied.stderr).toBe(3);
      expect(denied.stderr).toContain('before starting the command');
      expect(denied.stderr).toContain('ERR_POLICY_DENIED');
      expect(existsSync(marker)).toBe(false);
    }
    const blocked = await run('blocked');
    expect(blocked.stderr).toContain('forbidden by git.cedar:no-blocked whatever the request');
    const unnamed = await run('nobody-permits-me');
    expect(unnamed.stderr).toContain(
      'no policy can permit git on Credential::"gh" for Agent::"nobody-permits-me"',
    );
    const rows = (await runCli(home, ['audit', '--json', '--action', 'git', '--agent', 'nobody-permits-me']))
      .stdout;
    expect(JSON.parse(rows.trim().split('\n').at(-1) ?? '{}')).toMatchObject({
      decision: 'deny',
      resource: 'gh',
      errorCode: 'ERR_POLICY_DENIED',
      reason: expect.stringContaining('before starting the command'),
    });

    // A permit on the repository could apply once git asks: the command starts, and each request is decided then.
    const later = await run('later');
    expect(later.code, later.stderr).toBe(0);
    expect(existsSync(marker)).toBe(true);
    const outside = await runCli(
      home,
      [
        'exec',
        '--agent',
        'later',
        '--git',
        'gh',
        '--',
        'git',
        'ls-remote',
        `http://127.0.0.1:${server.port}/other/thing.git`,
      ],
      { env: gitEnv },
    );
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toContain('no policy permits git on Credential::"gh" for Agent::"later"');
  }, 60_000);

  it('fails a denied agent fast, without a prompt, and audits why', async () => {
    const denied = await agentGit('blocked', [
      'clone',
      `http://127.0.0.1:${server.port}/acme/widgets.git`,
      'nope',
    ]);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('denied by policy');
    expect(denied.stderr).toContain('ERR_POLICY_DENIED');
    // quit=1 stops git: it neither tries a prompt nor reaches the server without credentials.
    expect(denied.stderr).toMatch(/told us to quit/);
    expect(denied.stderr).not.toMatch(/could not read Username|terminal prompts disabled/);
    const rows = (await runCli(home, ['audit', '--json', '--action', 'git', '--decision', 'deny'])).stdout;
    const row = JSON.parse(rows.trim().split('\n').at(-1) ?? '{}');
    expect(row).toMatchObject({ agent: 'blocked', resource: 'gh', errorCode: 'ERR_POLICY_DENIED' });
    expect(row.reason).toContain('no-blocked');
  }, 30_000);

  it('decides on the scope the token would have: acme/private is refused, by the policy that says so', async () => {
    const denied = await agentGit('demo', [
      'clone',
      `http://127.0.0.1:${server.port}/acme/private.git`,
      'priv',
    ]);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('ERR_POLICY_DENIED');
    const rows = (await runCli(home, ['audit', '--json', '--action', 'git', '--decision', 'deny'])).stdout;
    const row = JSON.parse(rows.trim().split('\n').at(-1) ?? '{}');
    expect(row).toMatchObject({ agent: 'demo', resource: 'gh' });
    expect(row.policyIds.join(' ')).toContain('not-private');
  }, 30_000);

  it('prints nothing for a host that is not configured, so the next helper runs', async () => {
    const result = spawnSync(process.execPath, [helperPath, 'get'], {
      input: 'protocol=https\nhost=unconfigured.example\npath=a/b.git\n\n',
      env: { ...home.env },
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
  });

  it('serves a static secret as the git password for its host, audited as long-lived', async () => {
    const cloned = await agentGit('demo', [
      'clone',
      '--quiet',
      `http://localhost:${server.port}/acme/widgets.git`,
      'w2',
    ]);
    expect(cloned.code, cloned.stderr).toBe(0);
    expect(server.attempts.some((a) => a.username === 'bot' && a.allowed)).toBe(true);
    const rows = (await runCli(home, ['audit', '--json', '--action', 'git'])).stdout.trim().split('\n');
    const row = JSON.parse(rows.at(-1) ?? '{}');
    expect(row).toMatchObject({ decision: 'allow', resource: 'pw' });
    // The secret itself does not expire: no expiry is recorded, only the lease git was told.
    expect(row.reason).toContain('lifetime=long-lived lease=300s');
    expect(row.expiresAt).toBeNull();
  }, 30_000);

  it('injects a static secret with exec --env, audited as action static', async () => {
    const run = await runCli(
      home,
      ['exec', '--agent', 'demo', '--env', 'PW=pw', '--', 'sh', '-c', '[ "$PW" = "$EXPECTED" ] && echo same'],
      { env: { EXPECTED: STATIC_SECRET } },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('same\n');
    const rows = (await runCli(home, ['audit', '--json', '--action', 'static'])).stdout.trim().split('\n');
    expect(JSON.parse(rows.at(-1) ?? '{}')).toMatchObject({
      decision: 'allow',
      resource: 'pw',
      agent: 'demo',
    });
    const denied = await runCli(home, ['exec', '--agent', 'blocked', '--env', 'PW=pw', '--', 'true']);
    expect(denied.code).toBe(3);
  }, 30_000);

  it('keeps every token and secret out of the audit DB and the daemon log', async () => {
    const secrets = [...githubApi.tokens.keys(), STATIC_SECRET];
    expect(secrets.length).toBeGreaterThan(1);
    const stateFiles = readdirSync(join(home.dir, 'state')).filter((f) => f.startsWith('audit.db'));
    for (const file of stateFiles) {
      const bytes = readFileSync(join(home.dir, 'state', file));
      for (const secret of secrets) expect(bytes.includes(secret), `${file} holds a secret`).toBe(false);
    }
    for (const secret of secrets) expect(daemon.log()).not.toContain(secret);
  });
});
