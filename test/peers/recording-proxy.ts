/**
 * A small recording HTTP proxy in front of a real upstream (moto): it forwards every request as
 * is and keeps what our code sent (method, path, headers, body), so tests can count STS calls
 * and assert on request fields the emulator ignores. `rewrite` may change an upstream answer,
 * to play an STS whose credentials expire soon; `fail` may answer instead of the upstream.
 */
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RecordingProxy {
  url: string;
  requests: Recorded[];
  /** Requests whose form body has Action=<action> (STS Query API). */
  actions(action: string): URLSearchParams[];
  rewrite: ((body: string) => string) | null;
  fail: { status: number; body: string } | null;
  close(): Promise<void>;
}

export async function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  const target = new URL(upstream);
  const proxy: RecordingProxy = {
    url: '',
    requests: [],
    actions: (action) =>
      proxy.requests
        .map((r) => new URLSearchParams(r.body))
        .filter((params) => params.get('Action') === action),
    rewrite: null,
    fail: null,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      proxy.requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: body.toString(),
      });
      if (proxy.fail) {
        res.writeHead(proxy.fail.status, { 'content-type': 'text/xml' });
        res.end(proxy.fail.body);
        return;
      }
      const upstreamReq = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (upstreamRes) => {
          const answer: Buffer[] = [];
          upstreamRes.on('data', (c: Buffer) => answer.push(c));
          upstreamRes.on('end', () => {
            const text = Buffer.concat(answer).toString();
            const out = proxy.rewrite ? proxy.rewrite(text) : text;
            const headers = { ...upstreamRes.headers, 'content-length': String(Buffer.byteLength(out)) };
            delete headers['transfer-encoding'];
            res.writeHead(upstreamRes.statusCode ?? 502, headers);
            res.end(out);
          });
        },
      );
      upstreamReq.on('error', (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      upstreamReq.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
