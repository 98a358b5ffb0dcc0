/**
 * The keep-alive client (src/protocol/keep-alive.ts) against a real node:http server on a Unix
 * socket in a private directory: connections are kept and used again, dropped when the server
 * closes them, never used past half the idle time the server announces, and a request the server
 * drops unanswered on a kept connection goes again on a fresh one (once), while one dropped on a
 * fresh connection is the caller's error. Idle connections do not keep a process alive.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeepAliveClient, type KeepAliveClient } from '../../src/protocol/keep-alive.js';

const uid = process.getuid?.() ?? 0;

describe('createKeepAliveClient', () => {
  let base: string;
  let socket: string;
  let server: Server;
  let connections: Socket[];
  let handled: number;
  let clock: number;
  let client: KeepAliveClient;
  /** What the server does with each request: answers it, by default. */
  let onRequest: (req: IncomingMessage, res: ServerResponse) => void;

  beforeEach(async () => {
    base = mkdtempSync(join(tmpdir(), 'agentid-keepalive-'));
    mkdirSync(join(base, 'run'), { mode: 0o700 });
    socket = join(base, 'run', 'agentid.sock');
    connections = [];
    handled = 0;
    clock = 0;
    onRequest = (req, res) => {
      handled += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url, n: handled }));
    };
    server = createServer({ keepAliveTimeout: 4_000 }, (req, res) => onRequest(req, res));
    server.on('connection', (c: Socket) => connections.push(c));
    await new Promise<void>((done) => server.listen(socket, done));
    client = createKeepAliveClient({ socket, uid }, () => clock);
  });
  afterEach(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    rmSync(base, { recursive: true, force: true });
  });

  it('answers request after request on one connection', async () => {
    for (let i = 1; i <= 3; i++)
      expect(await client.request(`/v1/x${i}`)).toEqual({ path: `/v1/x${i}`, n: i });
    expect(connections).toHaveLength(1);
  });

  it('opens a connection per request in flight at once, and keeps them', async () => {
    const answers = await Promise.all([client.request('/a'), client.request('/b')]);
    expect(answers).toHaveLength(2);
    expect(connections).toHaveLength(2);
    await client.request('/c');
    await client.request('/d');
    expect(connections).toHaveLength(2);
  });

  it('does not use a connection past half of the announced idle time (timeout=4: 2 s)', async () => {
    await client.request('/a');
    clock += 1_999;
    await client.request('/b');
    expect(connections).toHaveLength(1);
    clock += 2_000;
    await client.request('/c');
    expect(connections).toHaveLength(2);
    expect(connections[0]?.destroyed).toBe(true);
  });

  it('drops a connection the server closed while it was idle', async () => {
    await client.request('/a');
    const [first] = connections;
    first?.destroy();
    await new Promise((done) => setTimeout(done, 50));
    expect(await client.request('/b')).toEqual({ path: '/b', n: 2 });
    expect(connections).toHaveLength(2);
  });

  it('sends again, on a fresh connection, a request a kept connection dropped unanswered', async () => {
    await client.request('/a');
    // The race of an idle close: the request reaches a connection the server is closing.
    onRequest = (req, res) => {
      onRequest = (r, s) => {
        handled += 1;
        s.end(JSON.stringify({ path: r.url, n: handled }));
      };
      req.socket.destroy();
      void res;
    };
    expect(await client.request('/b')).toEqual({ path: '/b', n: 2 });
    expect(connections).toHaveLength(2);
  });

  it('does not send again what a fresh connection dropped: the caller gets the error', async () => {
    let seen = 0;
    onRequest = (req) => {
      seen += 1;
      req.socket.destroy();
    };
    await expect(client.request('/a')).rejects.toMatchObject({ code: 'ERR_DAEMON_PROTOCOL' });
    expect(seen).toBe(1);
  });

  it('does not keep a connection whose answer says Connection: close', async () => {
    onRequest = (_req, res) => {
      handled += 1;
      res.shouldKeepAlive = false;
      res.end('{}');
    };
    await client.request('/a');
    await client.request('/b');
    expect(connections).toHaveLength(2);
  });

  it('carries the error code of an error answer, and keeps the connection', async () => {
    onRequest = (_req, res) => {
      res.statusCode = 403;
      res.end(JSON.stringify({ error: { code: 'ERR_POLICY_DENIED', message: 'no' } }));
    };
    await expect(client.request('/a')).rejects.toMatchObject({ code: 'ERR_POLICY_DENIED' });
    await expect(client.request('/b')).rejects.toMatchObject({ code: 'ERR_POLICY_DENIED' });
    expect(connections).toHaveLength(1);
  });

  it('lets a process exit while its connection is kept', async () => {
    // The built module (npm test builds first): a process of its own, to see it exit.
    const module = resolve('dist/src/protocol/keep-alive.js');
    const script =
      `const { createKeepAliveClient } = await import(${JSON.stringify(module)});` +
      `const c = createKeepAliveClient({ socket: ${JSON.stringify(socket)}, uid: ${uid} }, () => performance.now());` +
      "console.log(JSON.stringify(await c.request('/child')));";
    // The server would keep the connection open 4 s: the child must not wait for that.
    server.keepAliveTimeout = 60_000;
    const started = Date.now();
    // Async: the server answering it runs in this process.
    const child = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(child.stderr).toBe('');
    expect(child.stdout).toContain('"/child"');
    // Not a timing assertion on speed: only that it did not wait out the server's 60 s.
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
