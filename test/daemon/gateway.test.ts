/**
 * The gateway's handlers on the pipeline, in process (test/daemon/fake-deps.ts), against a real
 * loopback HTTP upstream: the decision row is committed before the upstream sees the request
 * (invariant 4), a deny carries the deciding policy and never reaches the upstream, the
 * credential is attached in the configured form (a `$&` in a secret stays literal), and other
 * hosts follow `other_hosts`.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GatewayAnswer,
  type GatewayRequest,
  otherHostHandler,
  routeHandler,
} from '../../daemon/gateway/handlers.js';
import type { Peer } from '../../daemon/identify.js';
import { DecidedError } from '../../daemon/outcome.js';
import { type Handler, serve } from '../../daemon/pipeline.js';
import { unixPeer } from '../../daemon/server.js';
import { parseConfig } from '../../src/config/index.js';
import type { AgentIdError } from '../../src/errors.js';
import { baseUrlTarget, type RouteTarget } from '../../src/gateway/routes.js';
import { Upstreams } from '../../src/gateway/upstream.js';
import { CredentialCache } from '../../src/providers/index.js';
import { type FakeWorld, fakeWorld, processOf, UID } from './fake-deps.js';

const AGENT = 101;
const SECRET = 'p$&ss-$1-0123456789';

interface Seen {
  headers: IncomingHttpHeaders;
  /** Audit rows committed when the request reached the upstream. */
  rowsOnArrival: string[];
}

describe('gateway handlers on the pipeline', () => {
  const seen: Seen[] = [];
  let world: FakeWorld;
  const upstream = createServer((req, res) => {
    seen.push({ headers: req.headers, rowsOnArrival: world.rows.map((r) => `${r.action}:${r.decision}`) });
    res.writeHead(200, { 'content-type': 'text/plain', 'x-echo': String(req.headers.authorization) });
    res.end(`you sent ${req.headers.authorization}`);
  });
  let port = 0;
  const upstreams = new Upstreams({
    connectTimeoutMs: 2_000,
    responseTimeoutMs: 2_000,
    idleTimeoutMs: 2_000,
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    port = (upstream.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await upstreams.close();
    await new Promise((resolve) => upstream.close(resolve));
  });

  function setUp(format: string) {
    world = fakeWorld({
      policies: {
        'g.cedar': [
          '@id("agent-http") permit(principal, action == Action::"http", resource);',
          '@id("no-admin") forbid(principal, action == Action::"http", resource == Route::"admin");',
        ].join('\n'),
      },
    });
    const parsed = parseConfig(
      `[credentials.key]\ntype = "static"\nsecret = "key"\nhost = "127.0.0.1"\nusername = "bot"\n` +
        `[http.api]\nupstream = "http://127.0.0.1:${port}/v1"\ncredential = "key"\nformat = "${format}"\n` +
        `[http.admin]\nupstream = "http://127.0.0.1:${port}/admin"\ncredential = "key"\n`,
      'test config',
    );
    world.deps.config.credentials = parsed.credentials;
    world.deps.config.http = parsed.http;
    world.processes.set(AGENT, processOf(AGENT, 'agent'));
    return { parts: { upstreams, cache: new CredentialCache({ now: world.deps.now }) } };
  }

  async function send(handler: Handler<GatewayAnswer> | AgentIdError, peer: Peer) {
    const told: { answer?: GatewayAnswer; body?: string; error?: AgentIdError } = {};
    await serve(
      world.deps,
      peer,
      { method: 'GET', path: '/x', handler, params: {}, body: async () => undefined },
      {
        async send(answer) {
          told.answer = answer;
          if (answer.kind === 'forward') {
            let text = '';
            for await (const chunk of answer.forwarded.body) text += String(chunk);
            told.body = text;
          }
        },
        fail(error) {
          told.error = error;
        },
      },
    );
    return told;
  }

  const request = (): GatewayRequest => ({
    method: 'GET',
    rawHeaders: ['Authorization', 'Bearer agent-own'],
    body: null,
    signal: new AbortController().signal,
    decided: null,
  });
  const peer = () => unixPeer(world.deps, { pid: AGENT, uid: UID, gid: UID, pidfd: null });
  const target = (path: string) => baseUrlTarget(world.deps.config.http, path) as RouteTarget;

  it('commits the decision row before the upstream sees the request, then attaches the credential', async () => {
    const { parts } = setUp('Basic {basic}');
    await (await world.deps.secrets()).set('key', SECRET);
    const told = await send(
      routeHandler(world.deps, parts, request(), target('/api/models'), 'base-url'),
      peer(),
    );
    expect(told.error).toBeUndefined();
    const arrival = seen.at(-1);
    expect(arrival?.rowsOnArrival).toEqual(['http:allow']);
    expect(arrival?.headers.authorization).toBe(`Basic ${Buffer.from(`bot:${SECRET}`).toString('base64')}`);
    // The echo is stripped from the headers and masked in the body.
    expect(told.answer?.kind === 'forward' && told.answer.forwarded.echoedHeaders).toEqual(['x-echo']);
    expect(told.body).toBe(
      `you sent Basic ${'*'.repeat(Buffer.from(`bot:${SECRET}`).toString('base64').length)}`,
    );
    expect(world.rows.at(-1)).toMatchObject({
      action: 'http',
      decision: 'allow',
      resource: 'api',
      policyIds: ['g.cedar:agent-http'],
    });
  });

  it('keeps a $& in a secret literal in a {value} format', async () => {
    const { parts } = setUp('Token {value} end');
    await (await world.deps.secrets()).set('key', SECRET);
    await send(routeHandler(world.deps, parts, request(), target('/api/x'), 'base-url'), peer());
    expect(seen.at(-1)?.headers.authorization).toBe(`Token ${SECRET} end`);
  });

  it('denies with the forbidding policy and never calls the upstream', async () => {
    const { parts } = setUp('Bearer {value}');
    await (await world.deps.secrets()).set('key', SECRET);
    const before = seen.length;
    const told = await send(
      routeHandler(world.deps, parts, request(), target('/admin/users'), 'base-url'),
      peer(),
    );
    expect(told.error).toBeInstanceOf(DecidedError);
    expect(told.error?.code).toBe('ERR_POLICY_DENIED');
    expect((told.error as DecidedError).facts.policyIds).toEqual(['g.cedar:no-admin']);
    expect(seen.length).toBe(before);
    expect(world.rows.map((r) => [r.action, r.decision, r.resource])).toEqual([['http', 'deny', 'admin']]);
  });

  it('refuses another host under other_hosts = "deny" with a deny row, and dials it under "tunnel"', async () => {
    const { parts } = setUp('Bearer {value}');
    const denied = await send(
      otherHostHandler(parts, 'deny', 1_000, { host: '127.0.0.1', port }, null),
      peer(),
    );
    expect(denied.error?.code).toBe('ERR_GATEWAY_HOST_DENIED');
    expect(world.rows.at(-1)).toMatchObject({
      action: 'http.other',
      decision: 'deny',
      resource: `127.0.0.1:${port}`,
    });
    const tunnelled = await send(
      otherHostHandler(parts, 'tunnel', 1_000, { host: '127.0.0.1', port }, null),
      peer(),
    );
    expect(tunnelled.answer?.kind).toBe('tunnel');
    if (tunnelled.answer?.kind === 'tunnel') tunnelled.answer.upstream.destroy();
    expect(world.rows.at(-1)).toMatchObject({ action: 'http.other', decision: 'allow' });
  });
});
