/**
 * Security invariant 5: every input is bounded. Oversized and malformed bodies get coded errors,
 * hoarded idle connections and slowloris clients cannot lock out a real request, and the daemon
 * stays up through each of them, and through all of them at once. Every test checks that on its
 * own, so none depends on another having run first.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { api, sleep, useDaemon } from './harness.js';

describe('API bounds', () => {
  // A short header timeout so the slowloris case is cut quickly; a cap below 200 so the idle
  // flood really hits it.
  const CAP = 64;
  /** Past the grace in which a silent connection keeps its slot at the cap (daemon/server.ts). */
  const SILENT_GRACE_MS = 600;
  const t = useDaemon(`[daemon]\nheaders_timeout_ms = 500\nmax_connections = ${CAP}\n`);

  afterEach(async () => {
    expect(t.daemon.child.exitCode).toBeNull();
    expect((await api(t.home.socket, 'GET', '/v1/status')).status).toBe(200);
  });

  const big = JSON.stringify({ value: 'x'.repeat(64 * 1024) });
  const oversized = (chunked: boolean) =>
    api(t.home.socket, 'PUT', '/v1/secrets/big', {
      body: big,
      headers: { 'content-type': 'application/json', ...(chunked ? { 'transfer-encoding': 'chunked' } : {}) },
    });
  const malformed = () => api(t.home.socket, 'PUT', '/v1/secrets/x', { body: '{"value": ', headers: {} });

  /**
   * Opens `count` connections that never send a byte, waits out the grace in which a silent
   * connection keeps its slot at the cap, and runs `whileOpen`; resolves with how many the daemon
   * closed and what each was told. The daemon sheds them as it accepts them, which under load can
   * trail the client's connects: up to 5 s are given for it to get down to its cap.
   */
  async function idleFlood(
    count: number,
    whileOpen: () => Promise<void>,
  ): Promise<{ closedByDaemon: number; answers: string[] }> {
    const idle: Socket[] = [];
    const answers: string[] = [];
    let closedByDaemon = 0;
    try {
      await Promise.all(
        Array.from(
          { length: count },
          () =>
            new Promise<void>((resolve) => {
              const s = connect(t.home.socket, () => resolve());
              let answer = '';
              s.on('data', (d: Buffer) => {
                answer += d.toString();
              });
              s.on('error', () => resolve());
              s.on('close', () => {
                closedByDaemon += 1;
                answers.push(answer);
                resolve();
              });
              idle.push(s);
            }),
        ),
      );
      await sleep(SILENT_GRACE_MS);
      await whileOpen();
      for (let waited = 0; closedByDaemon < count - CAP && waited < 5_000; waited += 50) await sleep(50);
      return { closedByDaemon, answers };
    } finally {
      for (const s of idle) s.destroy();
    }
  }

  /** Trickles header bytes and never ends them; resolves with how long the daemon let it go on. */
  async function slowloris(): Promise<number> {
    const s = connect(t.home.socket);
    await new Promise<void>((resolve) => s.once('connect', () => resolve()));
    s.write('GET /v1/status HTTP/1.1\r\nHost: x\r\n');
    return new Promise<number>((resolve) => {
      const started = Date.now();
      s.on('data', () => {});
      s.once('close', () => resolve(Date.now() - started));
      // Trickle a header byte now and then, as a slowloris client does.
      const trickle = setInterval(() => s.writable && s.write('X'), 100);
      s.once('close', () => clearInterval(trickle));
    });
  }

  it('answers 413 ERR_REQUEST_TOO_LARGE to a body over 64 KiB (declared or streamed)', async () => {
    for (const chunked of [false, true]) {
      const res = await oversized(chunked);
      expect(res.status).toBe(413);
      expect(res.json).toMatchObject({ error: { code: 'ERR_REQUEST_TOO_LARGE' } });
    }
  });

  it('answers 400 ERR_REQUEST_MALFORMED to a body that is not JSON', async () => {
    const res = await malformed();
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
    const { closedByDaemon, answers } = await idleFlood(200, async () => {
      const res = await api(t.home.socket, 'GET', '/v1/whoami');
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ agent: { name: 'unknown' } });
    });
    // The cap really was hit: the daemon shed connections to make room (evicted at the cap, or cut
    // by the header timeout), and told each why with a coded answer rather than a reset.
    expect(closedByDaemon).toBeGreaterThanOrEqual(200 - CAP);
    for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 408 .*"code":"ERR_REQUEST_TIMEOUT"/s);
  });

  it('cuts a slowloris client that never finishes its headers', async () => {
    // headers_timeout_ms = 500, checked every 500 ms: gone well before the 10 s default.
    expect(await slowloris()).toBeLessThan(5_000);
  });

  it('stays up when all of the above arrive at once', async () => {
    const { closedByDaemon } = await idleFlood(200, async () => {
      const [declared, chunked, notJson, cutAfterMs] = await Promise.all([
        oversized(false),
        oversized(true),
        malformed(),
        slowloris(),
      ]);
      expect([declared.status, chunked.status, notJson.status]).toEqual([413, 413, 400]);
      expect(cutAfterMs).toBeLessThan(5_000);
    });
    expect(closedByDaemon).toBeGreaterThanOrEqual(200 - CAP);
  });
});
