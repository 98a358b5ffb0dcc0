/**
 * Canary secrets through every provider path: a known-format AWS key pair (base keys of an
 * assume-role credential, used against moto's STS), a JWT-shaped static secret (exec --env) and
 * a static git password (real git against a git server), and an RSA private key PEM (the GitHub
 * App key that signs App JWTs for a real `git ls-remote`); plus minted agent JWTs. Afterwards none
 * of the canaries is in the audit DB, the daemon log, or anything any CLI command printed.
 */
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { filesUnder } from '../e2e/files.js';
import { type Daemon, makeHome, type Result, runCli, startDaemon } from '../e2e/harness.js';
import { startGitHttp } from '../peers/git-http.js';
import { startGithubApi } from '../peers/github-api.js';
import { type Moto, motoUnavailableReason, startMoto } from '../peers/moto.js';
import { record } from './tally.js';

const upper = (n: number) =>
  Array.from(randomBytes(n), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('');
const AWS_KEY_ID = `AKIA${upper(16)}`;
const AWS_SECRET = randomBytes(30).toString('base64');
const JWT_CANARY = [
  Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url'),
  Buffer.from(JSON.stringify({ sub: 'canary', n: randomBytes(8).toString('hex') })).toString('base64url'),
  randomBytes(32).toString('base64url'),
].join('.');
const GIT_PASSWORD = `canary-git-${randomBytes(12).toString('hex')}`;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
/** A line from the middle of the key body: found even if the PEM were re-wrapped or cut. */
const PEM_LINE = PEM.split('\n')[5] ?? '';
const CANARIES = {
  'aws key id': AWS_KEY_ID,
  'aws secret': AWS_SECRET,
  jwt: JWT_CANARY,
  'git password': GIT_PASSWORD,
  pem: PEM_LINE,
};

const motoSkip = motoUnavailableReason();
if (motoSkip) console.warn(`canaries: the aws path is skipped: ${motoSkip}`);

function git(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync('git', args, { encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

describe('canary secrets', () => {
  const outputs: Result[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('pass through every provider path and appear in no audit row, log or CLI output', async () => {
    const home = makeHome();
    closers.push(async () => home.cleanup());
    const root = join(home.dir, 'repos');
    git(['init', '--bare', '--quiet', join(root, 'acme/widgets.git')]);
    const githubApi = await startGithubApi({ appId: '4242', publicKey, installations: { acme: 77 } });
    closers.push(() => githubApi.close());
    const server = await startGitHttp({
      root,
      authorize: (a) =>
        (a.username === 'bot' && a.password === GIT_PASSWORD) ||
        (a.username === 'x-access-token' &&
          githubApi.tokens.get(a.password)?.repositories.includes(a.repo) === true),
    });
    closers.push(() => server.close());
    let moto: Moto | null = null;
    if (!motoSkip) {
      moto = await startMoto();
      closers.push(() => (moto as Moto).stop());
    }
    writeFileSync(
      join(home.dir, 'config.toml'),
      [
        '[secrets]\nbackend = "file"\n',
        '[credentials.jwtish]\ntype = "static"\nsecret = "jwtish"\n',
        `[credentials.pw]\ntype = "static"\nsecret = "pw"\nhost = "localhost:${server.port}"\nusername = "bot"\n`,
        `[credentials.gh]\ntype = "github-app"\napp_id = 4242\nprivate_key = "gh-key"\napi_url = "${githubApi.url}"`,
        `hosts = ["127.0.0.1:${server.port}"]\n`,
        moto
          ? `[credentials.dev]\ntype = "aws"\nsource = "assume-role"\nrole_arn = "arn:aws:iam::123456789012:role/a"\nregion = "us-east-1"\nendpoint = "${moto.url}"\n`
          : '',
      ].join('\n'),
    );
    mkdirSync(join(home.dir, 'policy'));
    writeFileSync(
      join(home.dir, 'policy', 'all.cedar'),
      'permit(principal == Agent::"demo", action, resource);\nforbid(principal == Agent::"blocked", action, resource);\n',
    );
    const daemon: Daemon = await startDaemon(home);
    closers.push(() => daemon.stop());
    const cli = async (args: string[], options: Parameters<typeof runCli>[2] = {}) => {
      const r = await runCli(home, args, options);
      outputs.push(r);
      return r;
    };
    const paths: Record<string, boolean> = {};

    for (const [name, value] of [
      ['jwtish', JWT_CANARY],
      ['pw', GIT_PASSWORD],
      ['gh-key', PEM],
    ]) {
      expect((await cli(['secret', 'set', name ?? ''], { input: value })).code).toBe(0);
    }
    const sha = (v: string) => createHash('sha256').update(v).digest('hex');

    // static via exec --env: the child gets it (checked by hash, so nothing prints it).
    const check = `[ "$(printf %s "$SECRET" | sha256sum | cut -d' ' -f1)" = ${sha(JWT_CANARY)} ]`;
    paths['static: exec --env'] =
      (await cli(['exec', '--agent', 'demo', '--env', 'SECRET=jwtish', '--', 'sh', '-c', check])).code === 0;
    const denied = await cli(['exec', '--agent', 'blocked', '--env', 'SECRET=jwtish', '--', 'true']);
    paths['static: denied'] = denied.code === 3;

    // git: static password and GitHub App token, with real git and the agentid helper.
    const helper = `!'${process.execPath}' '${resolve('dist/cli/helpers/git-credential.js')}'`;
    writeFileSync(
      join(home.dir, 'gitconfig'),
      [`http://127.0.0.1:${server.port}`, `http://localhost:${server.port}`]
        .map((url) => `[credential "${url}"]\n\thelper =\n\thelper = ${helper}\n\tuseHttpPath = true`)
        .join('\n'),
    );
    const gitEnv = {
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: join(home.dir, 'gitconfig'),
      GIT_TERMINAL_PROMPT: '0',
    };
    for (const [path, host] of [
      ['git: static password', 'localhost'],
      ['git: github-app (PEM key)', '127.0.0.1'],
    ] as const) {
      const url = `http://${host}:${server.port}/acme/widgets.git`;
      paths[path] =
        (await cli(['exec', '--agent', 'demo', '--', 'git', 'ls-remote', url], { env: gitEnv })).code === 0;
    }

    // jwt: minted tokens, in the env and printed.
    paths['jwt: exec --token'] =
      (await cli(['exec', '--agent', 'demo', '--token', 'svc=TOK', '--', 'sh', '-c', 'test -n "$TOK"']))
        .code === 0;
    paths['jwt: token'] =
      (
        await cli([
          'exec',
          '--agent',
          'demo',
          '--',
          process.execPath,
          resolve('dist/cli/main.js'),
          'token',
          '--audience',
          'svc',
        ])
      ).code === 0;

    if (moto) {
      const keys = await cli(['aws', 'set-base-keys', 'dev'], {
        env: { AWS_ACCESS_KEY_ID: AWS_KEY_ID, AWS_SECRET_ACCESS_KEY: AWS_SECRET },
      });
      expect(keys.code, keys.stderr).toBe(0);
      const cp = await cli([
        'exec',
        '--agent',
        'demo',
        '--',
        process.execPath,
        resolve('dist/cli/main.js'),
        'aws',
        'credential-process',
        'dev',
      ]);
      paths['aws: credential-process (moto STS)'] = cp.code === 0 && cp.stdout.includes('"AccessKeyId"');
    }
    await daemon.stop();

    // The scan: audit DB (+ WAL), daemon log, every file under the home but the opted-in secret file.
    const files = filesUnder(home.dir).filter((f) => !f.endsWith('secrets.json') && !f.includes('/repos/'));
    const haystacks = [
      ...files.map((f) => ({ where: f, text: readFileSync(f).toString('latin1') })),
      { where: 'daemon stderr', text: daemon.log() },
      ...outputs.map((r, i) => ({ where: `cli output #${i}`, text: `${r.stdout}\n${r.stderr}` })),
    ];
    const found = Object.entries(CANARIES).flatMap(([name, value]) =>
      haystacks.filter((h) => h.text.includes(value)).map((h) => `${name} in ${h.where}`),
    );
    const failedPaths = Object.entries(paths)
      .filter(([, ok]) => !ok)
      .map(([p]) => p);
    record({
      attack: 'canaries: secret leak scan',
      tried: Object.keys(paths).length * Object.keys(CANARIES).length,
      failures: found.length + failedPaths.length,
      note: `${Object.keys(paths).length} paths x ${Object.keys(CANARIES).length} canaries, ${haystacks.length} outputs/files scanned${moto ? '' : '; aws skipped (no moto)'}`,
    });
    expect(files.some((f) => f.endsWith('audit.db'))).toBe(true);
    // The scanner can see them: the opted-in secret file, left out above, holds each stored one.
    const stored = readFileSync(join(home.dir, 'state', 'secrets.json'), 'utf8');
    for (const value of [GIT_PASSWORD, PEM_LINE]) expect(stored).toContain(value);
    expect(failedPaths).toEqual([]);
    expect(found).toEqual([]);
  }, 120_000);
});
