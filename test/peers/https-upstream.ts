/**
 * A real HTTPS API for the gateway's tests, served with a certificate of the tests' own CA
 * (test-ca.ts). It records what arrived (the credential the gateway attached, the body size and
 * digest, read as a stream, never collected) and answers the shapes an API answers: JSON echoes,
 * server-sent events and chunked bodies that wait for the test between parts (so a test can prove
 * a part reached the client before the next was even written), downloads, a hang, an echo of the
 * credential in headers and body (the attack on the agent's side), and status codes.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestCa } from './test-ca.js';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  bodyBytes: number;
  bodySha256: string;
}

export interface HttpsUpstream {
  port: number;
  /** https://<host>:<port> */
  url: string;
  requests: RecordedRequest[];
  /** Lets the oldest waiting stream (SSE, chunked) write its next part. */
  release(): void;
  /** Calls `listener` with the bytes of the request body received so far, as they arrive. */
  onBodyProgress(listener: (bytes: number) => void): void;
  close(): Promise<void>;
}

export async function startHttpsUpstream(
  ca: TestCa,
  host = 'localhost',
  address = '127.0.0.1',
): Promise<HttpsUpstream> {
  const requests: RecordedRequest[] = [];
  const waiting: (() => void)[] = [];
  const progress: ((bytes: number) => void)[] = [];
  const hold = () => new Promise<void>((resolve) => waiting.push(resolve));

  async function readBody(req: IncomingMessage): Promise<{ bytes: number; sha256: string }> {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of req) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
      for (const listener of progress) listener(bytes);
    }
    return { bytes, sha256: hash.digest('hex') };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = req.url ?? '/';
    const body = await readBody(req);
    requests.push({
      method: req.method ?? '',
      path,
      headers: req.headers,
      bodyBytes: body.bytes,
      bodySha256: body.sha256,
    });
    const auth = req.headers.authorization ?? '';
    const route = path.split('?')[0] ?? '';
    if (route.endsWith('/sse')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('data: one\n\n');
      await hold();
      res.end('data: two\n\n');
    } else if (route.endsWith('/chunked')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('part one;');
      await hold();
      res.end('part two');
    } else if (route.endsWith('/hang')) {
      // Never answers: the gateway's response timeout must.
    } else if (/\/download\/\d+$/.test(route)) {
      const mib = Number(route.split('/').pop());
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': mib * 1024 * 1024 });
      const block = Buffer.alloc(1024 * 1024, 0x61);
      for (let i = 0; i < mib; i++) {
        if (!res.write(block)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
    } else if (route.endsWith('/echo-auth-header')) {
      res.writeHead(200, {
        'x-seen-authorization': auth,
        'www-authenticate': `Bearer realm="x", error="invalid_token", token="${auth.replace(/^\S+ /, '')}"`,
        'x-other': 'kept',
        'content-type': 'text/plain',
      });
      res.end('ok');
    } else if (route.endsWith('/echo-auth-body')) {
      const text = JSON.stringify({ youSent: auth, again: auth.replace(/^\S+ /, '') });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    } else if (/\/status\/\d{3}$/.test(route)) {
      res.writeHead(Number(route.slice(-3)), { 'content-type': 'text/plain' });
      res.end('status');
    } else {
      const text = JSON.stringify({ method: req.method, path, authorization: auth, ...body });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    }
  }

  const server = createServer({ cert: ca.cert, key: ca.key }, (req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `https://${host}:${port}`,
    requests,
    release: () => waiting.shift()?.(),
    onBodyProgress: (listener) => progress.push(listener),
    close: () =>
      new Promise((resolve) => {
        for (const release of waiting.splice(0)) release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
