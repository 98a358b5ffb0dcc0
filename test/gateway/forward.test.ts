/**
 * The upstream side against a real HTTPS server with a CA of the test's own (openssl): the
 * credential attached and the agent's dropped, echoes stripped, streams that reach the reader
 * before the upstream has written the rest, a 64 MiB upload that the upstream reads while it is
 * still being produced (so it was never collected whole), coded timeouts and failures.
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGatewayConfig } from '../../src/config/index.js';
import { AgentIdError } from '../../src/errors.js';
import { type Attachment, forward } from '../../src/gateway/forward.js';
import { Upstreams } from '../../src/gateway/upstream.js';
import { type HttpsUpstream, startHttpsUpstream } from '../peers/https-upstream.js';
import { makeTestCa, type TestCa } from '../peers/test-ca.js';
import { missing } from '../peers/tools.js';

const SECRET = `sk-test-${Date.now()}-0123456789abcdef`;
const attachment: Attachment = {
  header: 'Authorization',
  value: `Bearer ${SECRET}`,
  secrets: [SECRET, `Bearer ${SECRET}`],
};

async function text(body: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString();
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(AgentIdError);
    return (err as AgentIdError).code;
  }
  throw new Error('expected a coded failure');
}

describe.skipIf(missing('openssl') !== null)('forwarding to a real HTTPS upstream', () => {
  let ca: TestCa;
  let upstream: HttpsUpstream;
  let upstreams: Upstreams;
  const request = (path: string, extra: Partial<Parameters<typeof forward>[1]> = {}) =>
    forward(upstreams, {
      origin: upstream.url,
      path,
      method: 'GET',
      rawHeaders: [],
      body: null,
      caFile: ca.caFile,
      attachment,
      ...extra,
    });

  beforeAll(async () => {
    ca = makeTestCa();
    upstream = await startHttpsUpstream(ca);
    upstreams = new Upstreams({ ...defaultGatewayConfig(), responseTimeoutMs: 1_000 });
  });
  afterAll(async () => {
    await upstreams.close();
    await upstream.close();
    rmSync(ca.dir, { recursive: true, force: true });
  });

  it('attaches the credential and drops the agent’s own and the hop-by-hop headers', async () => {
    const answer = await request('/v1/echo?q=1', {
      rawHeaders: [
        'Authorization',
        'Bearer made-up-by-agent',
        'Connection',
        'X-Private',
        'X-Private',
        'x',
        'Proxy-Authorization',
        'Basic eA==',
        'Expect',
        '100-continue',
        'Accept',
        'application/json',
      ],
    });
    expect(answer.status).toBe(200);
    await text(answer.body);
    const seen = upstream.requests.at(-1);
    expect(seen?.path).toBe('/v1/echo?q=1');
    expect(seen?.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(seen?.headers.accept).toBe('application/json');
    expect(seen?.headers['x-private']).toBeUndefined();
    expect(seen?.headers['proxy-authorization']).toBeUndefined();
    expect(seen?.headers.host).toBe(new URL(upstream.url).host);
  });

  it('strips response headers that echo the credential and masks it in the body', async () => {
    const headers = await request('/echo-auth-header');
    expect(headers.echoedHeaders).toEqual(['x-seen-authorization', 'www-authenticate']);
    expect(headers.headers).toContain('x-other');
    expect(headers.headers.join('\n')).not.toContain(SECRET);
    await text(headers.body);

    const body = await request('/echo-auth-body');
    const length = Number(
      body.headers[body.headers.findIndex((h) => h.toLowerCase() === 'content-length') + 1],
    );
    const received = await text(body.body);
    expect(received).not.toContain(SECRET);
    expect(received).toContain('*'.repeat(SECRET.length));
    expect(Buffer.byteLength(received)).toBe(length);
    expect(body.maskedInBody()).toBe(2);
  });

  it('passes a request through untouched without an attachment (another host)', async () => {
    const answer = await request('/echo', { attachment: null, rawHeaders: ['Authorization', 'Bearer own'] });
    expect(JSON.parse(await text(answer.body)).authorization).toBe('Bearer own');
    expect(answer.maskedInBody()).toBeNull();
  });

  it.each(['/sse', '/chunked'])(
    'streams %s: the first part arrives before the upstream writes the next',
    async (path) => {
      const answer = await request(path);
      const iterator = answer.body[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(String(first.value)).toMatch(/^(data: one\n\n|part one;)$/);
      // Only now may the upstream write its second part.
      upstream.release();
      let rest = '';
      for (let next = await iterator.next(); !next.done; next = await iterator.next())
        rest += String(next.value);
      expect(rest).toMatch(/^(data: two\n\n|part two)$/);
    },
  );

  it('streams a 64 MiB upload: the upstream reads it while the rest is still being produced', async () => {
    const MiB = 1024 * 1024;
    const hash = createHash('sha256');
    let upstreamBytes = 0;
    upstream.onBodyProgress((bytes) => {
      upstreamBytes = bytes;
    });
    const reachedUpstream = async (bytes: number) => {
      while (upstreamBytes < bytes) await new Promise((r) => setTimeout(r, 5));
    };
    async function* produce() {
      const block = Buffer.alloc(MiB, 0x62);
      for (let i = 0; i < 64; i++) {
        // Half-way, wait until the upstream has most of what was produced: a gateway that collected
        // the body before sending would never get past here.
        if (i === 32) await reachedUpstream(16 * MiB);
        hash.update(block);
        yield block;
      }
    }
    const answer = await request('/upload', {
      method: 'POST',
      rawHeaders: ['Content-Type', 'application/octet-stream'],
      body: Readable.from(produce()),
    });
    const echo = JSON.parse(await text(answer.body));
    expect(echo.bytes).toBe(64 * MiB);
    expect(echo.sha256).toBe(hash.digest('hex'));
  }, 60_000);

  it('streams a 32 MiB download', async () => {
    const answer = await request('/download/32');
    let bytes = 0;
    for await (const chunk of answer.body) bytes += (chunk as Buffer).length;
    expect(bytes).toBe(32 * 1024 * 1024);
  });

  it('codes a hung upstream as ERR_GATEWAY_TIMEOUT (504)', async () => {
    expect(await codeOf(request('/hang'))).toBe('ERR_GATEWAY_TIMEOUT');
    expect(new AgentIdError('ERR_GATEWAY_TIMEOUT', '').status).toBe(504);
  });

  it('codes a refused connection, an untrusted certificate and a reset as ERR_GATEWAY_UPSTREAM (502)', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    expect(await codeOf(request('/', { origin: `https://localhost:${port}` }))).toBe('ERR_GATEWAY_UPSTREAM');

    const before = upstream.requests.length;
    const untrusted = request('/echo', { caFile: null });
    expect(await codeOf(untrusted)).toBe('ERR_GATEWAY_UPSTREAM');
    await untrusted.catch((err: AgentIdError) =>
      expect(err.message).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED/),
    );
    expect(upstream.requests.length).toBe(before);

    const reset = createServer((socket) => socket.destroy());
    await new Promise<void>((r) => reset.listen(0, '127.0.0.1', r));
    const resetPort = (reset.address() as { port: number }).port;
    expect(await codeOf(request('/', { origin: `http://127.0.0.1:${resetPort}` }))).toBe(
      'ERR_GATEWAY_UPSTREAM',
    );
    reset.close();
  });

  it('names an unreadable ca_file', async () => {
    expect(await codeOf(request('/', { caFile: '/nonexistent/ca.pem' }))).toBe('ERR_CONFIG_INVALID');
  });
});
