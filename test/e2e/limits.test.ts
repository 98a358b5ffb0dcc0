/**
 * Security invariant 5: every input is bounded. Oversized and malformed bodies get coded errors,
 * hoarded idle connections and slowloris clients cannot lock out a real request, and the daemon
 * stays up through all of it.
 */
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { api, sleep, useDaemon } from './harness.js';

describe('API bounds', () => {
  // A short header timeout so the slowloris case is cut quickly; a cap below 200 so the idle
  // flood really hits it.
  const t = useDaemon('[daemon]\nheaders_timeout_ms = 500\nmax_connections = 64\n');

  it('answers 413 ERR_REQUEST_TOO_LARGE to a body over 64 KiB (declared or streamed)', async () => {
    const big = JSON.stringify({ value: 'x'.repeat(64 * 1024) });
    const declared = await api(t.home.socket, 'PUT', '/v1/secrets/big', {
      body: big,
      headers: { 'content-type': 'application/json' },
    });
    expect(declared.status).toBe(413);
    expect(declared.json).toMatchObject({ error: { code: 'ERR_REQUEST_TOO_LARGE' } });

    const chunked = await api(t.home.socket, 'PUT', '/v1/secrets/big', {
      body: big,
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    expect(chunked.status).toBe(413);
    expect(chunked.json).toMatchObject({ error: { code: 'ERR_REQUEST_TOO_LARGE' } });
  });

  it('answers 400 ERR_REQUEST_MALFORMED to a body that is not JSON', async () => {
    const res = await api(t.home.socket, 'PUT', '/v1/secrets/x', { body: '{"value": ', headers: {} });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'ERR_REQUEST_MALFORMED' } });
    expect((res.json as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
  });

  it('answers 404 and 405 with codes, and 431 to oversized headers', async () => {
    expect((await api(t.home.socket, 'GET', '/v1/nope')).json).toMatchObject({
      error: { code: 'ERR_REQUEST_NOT_FOUND' },
    });
    const wrongMethod = await api(t.home.socket, 'DELETE', '/v1/status');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.json).toMatchObject({ error: { code: 'ERR_REQUEST_METHOD' } });
    const huge = await api(t.home.socket, 'GET', '/v1/status', {
      headers: { 'x-pad': 'y'.repeat(32 * 1024) },
    });
    expect(huge.status).toBe(431);
  });

  it('still answers a normal request while a client holds 200 idle connections', async () => {
    const idle: Socket[] = [];
    const answers: string[] = [];
    try {
      await Promise.all(
        Array.from(
          { length: 200 },
          () =>
            new Promise<void>((resolve) => {
              const s = connect(t.home.socket, () => resolve());
              let answer = '';
              s.on('data', (d: Buffer) => {
                answer += d.toString();
              });
              s.on('error', () => resolve());
              s.on('close', () => {
                answers.push(answer);
                resolve();
              });
              idle.push(s);
            }),
        ),
      );
      // Past the grace in which a silent connection keeps its slot at the cap (64).
      await sleep(600);
      const res = await api(t.home.socket, 'GET', '/v1/whoami');
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ agent: { name: 'unknown' } });
      // Connections were shed (evicted at the cap, or cut by the header timeout), each with a coded answer.
      expect(answers.length).toBeGreaterThan(0);
      for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 408 .*"code":"ERR_REQUEST_TIMEOUT"/s);
    } finally {
      for (const s of idle) s.destroy();
    }
  });

  it('cuts a slowloris client that never finishes its headers', async () => {
    const s = connect(t.home.socket);
    await new Promise<void>((resolve) => s.once('connect', () => resolve()));
    s.write('GET /v1/status HTTP/1.1\r\nHost: x\r\n');
    const closedAfter = await new Promise<number>((resolve) => {
      const started = Date.now();
      s.on('data', () => {});
      s.once('close', () => resolve(Date.now() - started));
      // Trickle a header byte now and then, as a slowloris client does.
      const trickle = setInterval(() => s.writable && s.write('X'), 100);
      s.once('close', () => clearInterval(trickle));
    });
    // headers_timeout_ms = 500, checked every 500 ms: gone well before the 10 s default.
    expect(closedAfter).toBeLessThan(5_000);
    const res = await api(t.home.socket, 'GET', '/v1/status');
    expect(res.status).toBe(200);
  });

  it('stays up after all of the above', async () => {
    await sleep(10);
    expect(t.daemon.child.exitCode).toBeNull();
    expect((await api(t.home.socket, 'GET', '/v1/status')).status).toBe(200);
  });
});
