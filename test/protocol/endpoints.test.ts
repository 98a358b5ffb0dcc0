/**
 * The endpoint table: clients build the paths the daemon's router matches, every request check
 * refuses what its route used to refuse with the same code, and the daemon serves exactly the
 * table.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AwsContainerEndpoints } from '../../daemon/aws-container.js';
import { SessionGateways } from '../../daemon/gateway/endpoints.js';
import { RefusalTally } from '../../daemon/refusal-tally.js';
import { matchRoute } from '../../daemon/router.js';
import { daemonRoutes } from '../../daemon/routes/index.js';
import { endpoints, requestCheck, requestChecks, wireRequest } from '../../src/protocol/index.js';
import { fakeWorld } from '../daemon/fake-deps.js';

/** The route table's doors as a route table needs them: nothing is opened, so nothing is refused. */
const routesOf = (world: ReturnType<typeof fakeWorld>) =>
  daemonRoutes(world.deps, {
    awsContainers: new AwsContainerEndpoints(
      world.deps,
      randomBytes,
      new RefusalTally({ write: () => {}, now: () => new Date(0), after: () => {}, intervalMs: 1 }),
    ),
    gateways: new SessionGateways(world.deps, randomBytes),
  });

const codeOf = (fn: () => unknown): string | null => {
  try {
    fn();
    return null;
  } catch (err) {
    return (err as { code?: string }).code ?? 'not coded';
  }
};

describe('wireRequest', () => {
  it('fills and percent-encodes path parameters, and leaves a missing body out', () => {
    expect(wireRequest(endpoints.secretSet, [{ name: 'a/b c' }, { value: 'v' }])).toEqual({
      method: 'PUT',
      path: '/v1/secrets/a%2Fb%20c',
      body: { value: 'v' },
    });
    expect(wireRequest(endpoints.status, [])).toEqual({ method: 'GET', path: '/v1/status' });
    expect(wireRequest(endpoints.token, [{ audience: 'api' }])).toEqual({
      method: 'POST',
      path: '/v1/token',
      body: { audience: 'api' },
    });
  });

  it("builds paths the daemon's router matches back to the same endpoint and parameters", () => {
    const world = fakeWorld();
    const routes = routesOf(world);
    const { method, path } = wireRequest(endpoints.awsBaseKeys, [
      { credential: 'dev/é' },
      { accessKeyId: 'x', secretAccessKey: 'y' },
    ]);
    const match = matchRoute(routes, method, path);
    expect([match.route.method, match.route.pattern, match.params]).toEqual([
      'PUT',
      '/v1/aws/:credential/base-keys',
      { credential: 'dev/é' },
    ]);
  });
});

describe('daemonRoutes', () => {
  it('serves every endpoint of the table, and nothing else', () => {
    const world = fakeWorld();
    const routes = routesOf(world);
    const served = routes.map((r) => `${r.method} ${r.pattern}`).sort();
    const table = Object.values(endpoints)
      .map((e) => `${e.method} ${e.pattern}`)
      .sort();
    expect(served).toEqual(table);
  });
});

describe('request checks', () => {
  const ok = 'ok' as const;
  const cases: [string, (body: unknown) => unknown, unknown, string | typeof ok][] = [
    ['token', requestChecks.token, { audience: 'api' }, ok],
    ['token', requestChecks.token, { audience: 'has space' }, 'ERR_USAGE'],
    ['token', requestChecks.token, { audience: 'x'.repeat(257) }, 'ERR_USAGE'],
    ['token', requestChecks.token, { audience: 'api', credential: 5 }, 'ERR_USAGE'],
    ['token', requestChecks.token, 'api', 'ERR_USAGE'],
    ['session start', requestChecks.sessionStart, undefined, ok],
    ['session start', requestChecks.sessionStart, [], 'ERR_SESSION_INVALID'],
    ['session start', requestChecks.sessionStart, { agent: 7 }, 'ERR_SESSION_INVALID'],
    ['session start', requestChecks.sessionStart, { nest: 'yes' }, 'ERR_SESSION_INVALID'],
    ['secret set', requestChecks.secretSet, { value: 's' }, ok],
    ['secret set', requestChecks.secretSet, { value: '' }, 'ERR_REQUEST_MALFORMED'],
    ['secret set', requestChecks.secretSet, undefined, 'ERR_REQUEST_MALFORMED'],
    ['login start', requestChecks.loginStart, { mode: 'device' }, ok],
    ['login start', requestChecks.loginStart, { mode: 'password' }, 'ERR_USAGE'],
    [
      'aws base keys',
      requestChecks.awsBaseKeys,
      { accessKeyId: 'A'.repeat(20), secretAccessKey: 's'.repeat(40) },
      ok,
    ],
    ['aws base keys', requestChecks.awsBaseKeys, { accessKeyId: 'testing', secretAccessKey: 'testing' }, ok],
    [
      'aws base keys',
      requestChecks.awsBaseKeys,
      { accessKeyId: '', secretAccessKey: 's'.repeat(40) },
      'ERR_USAGE',
    ],
    [
      'aws base keys',
      requestChecks.awsBaseKeys,
      { accessKeyId: 'A'.repeat(20), secretAccessKey: 'a b'.repeat(9) },
      'ERR_USAGE',
    ],
    ['session start', requestChecks.sessionStart, { subreaper: 'yes' }, 'ERR_SESSION_INVALID'],
    ['session sandbox', requestChecks.sessionSandbox, { pid: 42 }, ok],
    ['session sandbox', requestChecks.sessionSandbox, { pid: '42' }, 'ERR_SESSION_INVALID'],
    ['session sandbox', requestChecks.sessionSandbox, { pid: 0 }, 'ERR_SESSION_INVALID'],
    ['session aws', requestChecks.sessionAws, { credential: 'dev' }, ok],
    ['session aws', requestChecks.sessionAws, {}, 'ERR_USAGE'],
    ['session gateway', requestChecks.sessionGateway, { routes: ['openai'], proxy: false }, ok],
    ['session gateway', requestChecks.sessionGateway, { routes: [], proxy: true }, ok],
    ['session gateway', requestChecks.sessionGateway, { routes: ['openai'] }, 'ERR_USAGE'],
    ['session gateway', requestChecks.sessionGateway, { routes: [''], proxy: false }, 'ERR_USAGE'],
    [
      'session gateway',
      requestChecks.sessionGateway,
      { routes: ['x'.repeat(65)], proxy: false },
      'ERR_USAGE',
    ],
    [
      'session gateway',
      requestChecks.sessionGateway,
      { routes: Array(65).fill('a'), proxy: false },
      'ERR_USAGE',
    ],
    ['session gateway', requestChecks.sessionGateway, { routes: 'openai', proxy: false }, 'ERR_USAGE'],
    [
      'git credential',
      requestChecks.gitCredential,
      { protocol: 'https', host: 'github.com', path: 'a/b' },
      ok,
    ],
    ['git credential', requestChecks.gitCredential, { protocol: 'ssh', host: 'github.com' }, 'ERR_USAGE'],
    ['git credential', requestChecks.gitCredential, { protocol: 'https', host: 'git hub' }, 'ERR_USAGE'],
    [
      'git credential',
      requestChecks.gitCredential,
      { protocol: 'https', host: 'h', path: 'p'.repeat(1025) },
      'ERR_USAGE',
    ],
    ['static', requestChecks.static, { credential: 'npm' }, ok],
    ['static', requestChecks.static, { credential: ['npm'] }, 'ERR_USAGE'],
    ['mcp start', requestChecks.mcpStart, { server: 'fs', program: 'npx' }, ok],
    ['mcp start', requestChecks.mcpStart, { server: '-fs', program: 'npx' }, 'ERR_USAGE'],
    [
      'mcp decide',
      requestChecks.mcpDecide,
      { server: 'fs', method: 'tools/call', name: 't', argsDigest: 'a'.repeat(64) },
      ok,
    ],
    [
      'mcp decide',
      requestChecks.mcpDecide,
      { server: 'fs', method: 'tools/list', name: 't', argsDigest: 'a'.repeat(64) },
      'ERR_USAGE',
    ],
    [
      'mcp decide',
      requestChecks.mcpDecide,
      { server: 'fs', method: 'tools/call', name: 't', argsDigest: 'a'.repeat(64), path: 'rel' },
      'ERR_USAGE',
    ],
    ['mcp list', requestChecks.mcpList, { server: 'fs', method: 'tools/list', names: ['a'] }, ok],
    [
      'mcp list',
      requestChecks.mcpList,
      { server: 'fs', method: 'tools/list', names: Array(1001).fill('a') },
      'ERR_USAGE',
    ],
    [
      'mcp result',
      requestChecks.mcpResult,
      { eventId: 'e'.repeat(36), server: 'fs', method: 'tools/call', name: 't', status: 'ok', latencyMs: 1 },
      ok,
    ],
    [
      'mcp result',
      requestChecks.mcpResult,
      {
        eventId: 'e'.repeat(36),
        server: 'fs',
        method: 'tools/call',
        name: 't',
        status: 'fine',
        latencyMs: 1,
      },
      'ERR_USAGE',
    ],
    ['status (no body)', requestCheck(endpoints.status), { anything: true }, ok],
    ['token, found by its endpoint', requestCheck(endpoints.token), 'api', 'ERR_USAGE'],
  ];
  it.each(cases)('%s: %j → %s', (_name, parse, body, expected) => {
    expect(codeOf(() => parse(body)) ?? ok).toBe(expected);
  });

  it('keeps only the fields it knows', () => {
    expect(requestChecks.token({ audience: 'api', extra: 'x' })).toEqual({ audience: 'api' });
    expect(requestChecks.sessionStart({ agent: 'claude' })).toEqual({
      agent: 'claude',
      nest: false,
      subreaper: false,
    });
  });
});
