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
import { endpoints, wireRequest } from '../../src/protocol/index.js';
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
    ['token', endpoints.token.parse, { audience: 'api' }, ok],
    ['token', endpoints.token.parse, { audience: 'has space' }, 'ERR_USAGE'],
    ['token', endpoints.token.parse, { audience: 'x'.repeat(257) }, 'ERR_USAGE'],
    ['token', endpoints.token.parse, { audience: 'api', credential: 5 }, 'ERR_USAGE'],
    ['token', endpoints.token.parse, 'api', 'ERR_USAGE'],
    ['session start', endpoints.sessionStart.parse, undefined, ok],
    ['session start', endpoints.sessionStart.parse, [], 'ERR_SESSION_INVALID'],
    ['session start', endpoints.sessionStart.parse, { agent: 7 }, 'ERR_SESSION_INVALID'],
    ['session start', endpoints.sessionStart.parse, { nest: 'yes' }, 'ERR_SESSION_INVALID'],
    ['secret set', endpoints.secretSet.parse, { value: 's' }, ok],
    ['secret set', endpoints.secretSet.parse, { value: '' }, 'ERR_REQUEST_MALFORMED'],
    ['secret set', endpoints.secretSet.parse, undefined, 'ERR_REQUEST_MALFORMED'],
    ['login start', endpoints.loginStart.parse, { mode: 'device' }, ok],
    ['login start', endpoints.loginStart.parse, { mode: 'password' }, 'ERR_USAGE'],
    [
      'aws base keys',
      endpoints.awsBaseKeys.parse,
      { accessKeyId: 'A'.repeat(20), secretAccessKey: 's'.repeat(40) },
      ok,
    ],
    [
      'aws base keys',
      endpoints.awsBaseKeys.parse,
      { accessKeyId: 'testing', secretAccessKey: 'testing' },
      ok,
    ],
    [
      'aws base keys',
      endpoints.awsBaseKeys.parse,
      { accessKeyId: '', secretAccessKey: 's'.repeat(40) },
      'ERR_USAGE',
    ],
    [
      'aws base keys',
      endpoints.awsBaseKeys.parse,
      { accessKeyId: 'A'.repeat(20), secretAccessKey: 'a b'.repeat(9) },
      'ERR_USAGE',
    ],
    ['session aws', endpoints.sessionAws.parse, { credential: 'dev' }, ok],
    ['session aws', endpoints.sessionAws.parse, {}, 'ERR_USAGE'],
    ['session gateway', endpoints.sessionGateway.parse, { routes: ['openai'], proxy: false }, ok],
    ['session gateway', endpoints.sessionGateway.parse, { routes: [], proxy: true }, ok],
    ['session gateway', endpoints.sessionGateway.parse, { routes: ['openai'] }, 'ERR_USAGE'],
    ['session gateway', endpoints.sessionGateway.parse, { routes: [''], proxy: false }, 'ERR_USAGE'],
    [
      'session gateway',
      endpoints.sessionGateway.parse,
      { routes: ['x'.repeat(65)], proxy: false },
      'ERR_USAGE',
    ],
    [
      'session gateway',
      endpoints.sessionGateway.parse,
      { routes: Array(65).fill('a'), proxy: false },
      'ERR_USAGE',
    ],
    ['session gateway', endpoints.sessionGateway.parse, { routes: 'openai', proxy: false }, 'ERR_USAGE'],
    [
      'git credential',
      endpoints.gitCredential.parse,
      { protocol: 'https', host: 'github.com', path: 'a/b' },
      ok,
    ],
    ['git credential', endpoints.gitCredential.parse, { protocol: 'ssh', host: 'github.com' }, 'ERR_USAGE'],
    ['git credential', endpoints.gitCredential.parse, { protocol: 'https', host: 'git hub' }, 'ERR_USAGE'],
    [
      'git credential',
      endpoints.gitCredential.parse,
      { protocol: 'https', host: 'h', path: 'p'.repeat(1025) },
      'ERR_USAGE',
    ],
    ['static', endpoints.static.parse, { credential: 'npm' }, ok],
    ['static', endpoints.static.parse, { credential: ['npm'] }, 'ERR_USAGE'],
    ['mcp start', endpoints.mcpStart.parse, { server: 'fs', program: 'npx' }, ok],
    ['mcp start', endpoints.mcpStart.parse, { server: '-fs', program: 'npx' }, 'ERR_USAGE'],
    [
      'mcp decide',
      endpoints.mcpDecide.parse,
      { server: 'fs', method: 'tools/call', name: 't', argsDigest: 'a'.repeat(64) },
      ok,
    ],
    [
      'mcp decide',
      endpoints.mcpDecide.parse,
      { server: 'fs', method: 'tools/list', name: 't', argsDigest: 'a'.repeat(64) },
      'ERR_USAGE',
    ],
    [
      'mcp decide',
      endpoints.mcpDecide.parse,
      { server: 'fs', method: 'tools/call', name: 't', argsDigest: 'a'.repeat(64), path: 'rel' },
      'ERR_USAGE',
    ],
    ['mcp list', endpoints.mcpList.parse, { server: 'fs', method: 'tools/list', names: ['a'] }, ok],
    [
      'mcp list',
      endpoints.mcpList.parse,
      { server: 'fs', method: 'tools/list', names: Array(1001).fill('a') },
      'ERR_USAGE',
    ],
    [
      'mcp result',
      endpoints.mcpResult.parse,
      { eventId: 'e'.repeat(36), server: 'fs', method: 'tools/call', name: 't', status: 'ok', latencyMs: 1 },
      ok,
    ],
    [
      'mcp result',
      endpoints.mcpResult.parse,
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
    ['status (no body)', endpoints.status.parse, { anything: true }, ok],
  ];
  it.each(cases)('%s: %j → %s', (_name, parse, body, expected) => {
    expect(codeOf(() => parse(body)) ?? ok).toBe(expected);
  });

  it('keeps only the fields it knows', () => {
    expect(endpoints.token.parse({ audience: 'api', extra: 'x' })).toEqual({ audience: 'api' });
    expect(endpoints.sessionStart.parse({ agent: 'claude' })).toEqual({ agent: 'claude', nest: false });
  });
});
