/**
 * Fault: the IdP, STS and GitHub stand-ins stop answering mid-test (they accept and never reply).
 * Each credential kind that needs one must fail with its coded error within its configured
 * timeout (plus scheduling slack), while the daemon keeps serving the kinds that do not: agent
 * JWTs, minted locally for the logged-in human.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LoginStartResponse } from '../../src/protocol/index.js';
import { api, cliPath, collect, makeHome, runCli, startDaemon } from '../e2e/harness.js';
import { startGithubApi } from '../peers/github-api.js';
import { motoUnavailableReason, startMoto } from '../peers/moto.js';
import { browse, CLIENT_ID, startOidcProvider } from '../peers/oidc-provider.js';
import { startFreezeProxy } from './freeze-proxy.js';
import { record } from './tally.js';

const TIMEOUT_MS = 1_000;
/** Scheduling slack on a loaded 2-core machine; a hang would blow far past it. */
const SLACK_MS = 4_000;
const skip = motoUnavailableReason();
if (skip) console.warn(`SKIP outage suite: ${skip}`);

describe.skipIf(skip !== null)('stand-ins that stop answering', () => {
  const closers: (() => Promise<unknown> | undefined)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('give coded errors within the timeouts while agent JWTs are still served', async () => {
    const idp = await startOidcProvider();
    closers.push(() => idp.close());
    const moto = await startMoto();
    closers.push(() => moto.stop());
    const sts = await startFreezeProxy(moto.url);
    closers.push(() => sts.close());
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const github = await startGithubApi({ appId: '4242', publicKey, installations: { acme: 77 } });
    closers.push(() => github.close());
    const gh = await startFreezeProxy(github.url);
    closers.push(() => gh.close());

    const aws = (name: string) =>
      `[credentials.${name}]\ntype = "aws"\nsource = "assume-role"\nrole_arn = "arn:aws:iam::123456789012:role/a"\nregion = "us-east-1"\nendpoint = "${sts.url}"\ntimeout_ms = ${TIMEOUT_MS}\n`;
    const home = makeHome(
      [
        '[secrets]\nbackend = "file"\n',
        `[idp]\nissuer = "${idp.issuer}"\nclient_id = "${CLIENT_ID}"\ntimeout_ms = ${TIMEOUT_MS}\n`,
        aws('dev'),
        aws('dev2'),
        `[credentials.gh]\ntype = "github-app"\napp_id = 4242\nprivate_key = "gh-key"\napi_url = "${gh.url}"\nhosts = ["git.test"]\ntimeout_ms = ${TIMEOUT_MS}\n`,
      ].join('\n'),
    );
    closers.push(async () => home.cleanup());
    mkdirSync(join(home.dir, 'policy'));
    writeFileSync(join(home.dir, 'policy', 'all.cedar'), 'permit(principal, action, resource);\n');
    const daemon = await startDaemon(home);
    closers.push(() => daemon.stop());
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect((await runCli(home, ['secret', 'set', 'gh-key'], { input: pem })).code).toBe(0);
    // Log in (device flow) while the IdP answers.
    const login = spawn(process.execPath, [cliPath, 'login', '--device', '--json'], {
      env: home.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const done = collect(login);
    const start = await new Promise<LoginStartResponse>((resolve) => {
      let out = '';
      login.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0] ?? '') as LoginStartResponse);
      });
    });
    await browse(start.verificationUriComplete ?? '', 'alice');
    expect((await done).code).toBe(0);

    for (const name of ['dev', 'dev2']) {
      const set = await runCli(home, ['aws', 'set-base-keys', name], {
        env: { AWS_ACCESS_KEY_ID: 'AKIAOUTAGETEST000001', AWS_SECRET_ACCESS_KEY: 'outage-secret-0123456789' },
      });
      expect(set.code, set.stderr).toBe(0);
    }

    const post = (path: string, body: unknown) =>
      api(home.socket, 'POST', path, {
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
    const jwt = async () => (await post('/v1/token', { audience: 'svc' })).status === 200;
    const git = (repo: string) =>
      post('/v1/git/credential', { protocol: 'https', host: 'git.test', path: `acme/${repo}.git` });
    // Everything works before the outage.
    expect(await jwt()).toBe(true);
    expect((await post('/v1/aws/dev', {})).status).toBe(200);
    expect((await git('widgets')).status).toBe(200);

    idp.stall();
    sts.freeze();
    gh.freeze();
    const timed = async <T>(fn: () => Promise<T>) => {
      const started = Date.now();
      const value = await fn();
      return { value, ms: Date.now() - started };
    };
    const cases: { name: string; code: string | null; ms: number; expected: string; jwtAfter: boolean }[] =
      [];
    const stsDown = await timed(() => post('/v1/aws/dev2', {}));
    cases.push({
      name: 'STS',
      code: codeOf(stsDown.value.json),
      ms: stsDown.ms,
      expected: 'ERR_AWS_STS',
      jwtAfter: await jwt(),
    });
    const ghDown = await timed(() => git('other'));
    cases.push({
      name: 'GitHub',
      code: codeOf(ghDown.value.json),
      ms: ghDown.ms,
      expected: 'ERR_GITHUB_TIMEOUT',
      jwtAfter: await jwt(),
    });
    const idpDown = await timed(() => runCli(home, ['login', '--device', '--json']));
    cases.push({
      name: 'IdP',
      code: /ERR_[A-Z_]+/.exec(idpDown.value.stderr)?.[0] ?? null,
      ms: idpDown.ms,
      expected: 'ERR_IDP_UNAVAILABLE',
      jwtAfter: await jwt(),
    });
    // A cached credential needs no call out: still served.
    const cachedAws = (await post('/v1/aws/dev', {})).status === 200;

    const failures = cases.filter(
      (c) => c.code !== c.expected || c.ms > TIMEOUT_MS + SLACK_MS || !c.jwtAfter,
    ).length;
    record({
      attack: 'fault: IdP/STS/GitHub stop answering',
      tried: cases.length,
      failures: failures + (cachedAws ? 0 : 1),
      note: cases.map((c) => `${c.name} ${c.code} in ${c.ms} ms`).join('; '),
    });
    expect(cases).toEqual(
      cases.map((c) => ({ ...c, code: c.expected, ms: expect.any(Number), jwtAfter: true })),
    );
    for (const c of cases) expect(c.ms, c.name).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    expect(cachedAws).toBe(true);
    expect(daemon.child.exitCode).toBeNull();
  }, 120_000);
});

function codeOf(json: unknown): string | null {
  return (json as { error?: { code?: string } } | null)?.error?.code ?? null;
}
