/**
 * Fuzzing the daemon's HTTP API over its real socket: random JSON, JSON shaped like each route's
 * request with random values, and garbage bytes, to every route the daemon serves (read from
 * the endpoint table in src/protocol, so a new route is fuzzed without editing this file). Every answer must be a 2xx
 * or a coded error other than ERR_INTERNAL, within a bound; afterwards the daemon still serves
 * and its audit chain verifies. POST /v1/shutdown is left out: stopping is what it is for.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isErrorCode } from '../../src/errors.js';
import { endpoints } from '../../src/protocol/index.js';
import { api, runCli, useDaemon } from '../e2e/harness.js';
import { fuzz } from './fuzz.js';
import { record } from './tally.js';

const REQUEST_TIMEOUT_MS = 10_000;

function routes(): { method: string; pattern: string }[] {
  return Object.values(endpoints).map(({ method, pattern }) => ({ method, pattern }));
}

const fields = [
  'audience',
  'credential',
  'agent',
  'nest',
  'value',
  'mode',
  'accessKeyId',
  'secretAccessKey',
  'protocol',
  'host',
  'path',
  'username',
  'id',
  'pid',
];
const param = fc.oneof(
  fc.constantFrom('dev', 'identity', 'pw', '1', '0', '-1', '99999999', 'x'.repeat(300), '..', '%00', '%2F'),
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
);
const body = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc
    .dictionary(fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })
    .map((o) => JSON.stringify(o)),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.constant(''),
);
const contentType = fc.constantFrom(
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  undefined,
);

describe('API fuzzing', () => {
  const t = useDaemon(
    [
      '[secrets]\nbackend = "file"\n',
      '[credentials.pw]\ntype = "static"\nsecret = "pw"\nhost = "git.example.com"\nusername = "bot"\n',
      '[credentials.dev]\ntype = "aws"\nsource = "assume-role"\nrole_arn = "arn:aws:iam::123456789012:role/a"',
      'region = "us-east-1"\nendpoint = "http://127.0.0.1:9"\ntimeout_ms = 500\n',
    ].join('\n'),
  );

  it('every route answers every body with a 2xx or a coded error, and the daemon lives on', async () => {
    const all = routes().filter((r) => r.pattern !== '/v1/shutdown');
    expect(all.length).toBeGreaterThan(15);
    const perRoute = new Map<string, number>();
    const started = Date.now();
    const outcome = await fuzz(
      fc.record({
        route: fc.constantFrom(...all),
        params: fc.array(param, { minLength: 2, maxLength: 2 }),
        body,
        contentType,
      }),
      async ({ route, params, body, contentType }) => {
        let i = 0;
        const path = route.pattern.replace(/:\w+/g, () => params[i++] ?? 'x');
        const key = `${route.method} ${route.pattern}`;
        perRoute.set(key, (perRoute.get(key) ?? 0) + 1);
        const res = await Promise.race([
          api(t.home.socket, route.method, path, {
            body,
            headers: contentType ? { 'content-type': contentType } : {},
          }).catch((err: Error) => err),
          new Promise<'hang'>((r) => setTimeout(() => r('hang'), REQUEST_TIMEOUT_MS).unref()),
        ]);
        if (res === 'hang') return `${key}: no answer within ${REQUEST_TIMEOUT_MS} ms`;
        if (res instanceof Error) return `${key}: ${res.message}`;
        if (res.status >= 200 && res.status < 300) return null;
        const code = (res.json as { error?: { code?: unknown } } | null)?.error?.code;
        if (!isErrorCode(code))
          return `${key}: ${res.status} without a coded error: ${res.text.slice(0, 200)}`;
        return code === 'ERR_INTERNAL' ? `${key}: ERR_INTERNAL ${res.text.slice(0, 300)}` : null;
      },
    );
    const seconds = Math.round((Date.now() - started) / 1000);
    record({
      attack: 'fuzz: HTTP API bodies',
      tried: outcome.tried,
      failures: outcome.failures,
      note: `seed ${outcome.seed}, ${perRoute.size} routes, ${seconds} s`,
    });
    expect(outcome.firstFailure).toBeNull();
    expect(perRoute.size).toBe(all.length);
    expect(t.daemon.child.exitCode).toBeNull();
    expect((await api(t.home.socket, 'GET', '/v1/status')).status).toBe(200);
    const verify = await runCli(t.home, ['audit', 'verify', '--json']);
    expect(verify.code, verify.stderr).toBe(0);
  }, 600_000);
});
