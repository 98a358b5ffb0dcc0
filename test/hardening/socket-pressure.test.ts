/**
 * Attack: pressure on the daemon's Unix socket from a caller of the user's own uid (the agent).
 *  - A burst of 1,000 concurrent requests, four times the connection cap: every one must get an
 *    HTTP answer, never a bare connection reset: served, a coded 503 (ERR_DAEMON_BUSY) when every
 *    slot is busy, or a coded 408 (ERR_REQUEST_TIMEOUT) for a connection that had sent nothing
 *    for half a second when its slot was needed (a client this flooded is slow itself).
 *  - More slow-body connections than the cap (headers, then one byte of a declared body, then
 *    nothing), in two waves a second apart so the cap is full of requests stuck in their body:
 *    normal requests must still be answered while they are held, and every slow one gets a coded
 *    answer (408 when evicted or at the body deadline, 503 when it came while nothing could go).
 */
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { api, sleep, useDaemon } from '../e2e/harness.js';
import { record } from './tally.js';

const BURST = 1_000;
const SLOW_WAVES = [300, 100];
const SLOW = SLOW_WAVES.reduce((a, b) => a + b);
const PROBES = 5;

describe('attack: connection pressure on the Unix socket', () => {
  // Default limits: a cap of 256 connections and a body deadline of 5 s (request_timeout 30 s).
  const t = useDaemon();

  it(`answers a burst of ${BURST} connects, served or with a coded error, never a reset`, async () => {
    const outcomes = await Promise.all(
      Array.from({ length: BURST }, () =>
        api(t.home.socket, 'GET', '/v1/status').then(
          (r) =>
            r.status === 200
              ? 'served'
              : `${r.status} ${(r.json as { error?: { code?: string } })?.error?.code}`,
          (err: NodeJS.ErrnoException) => err.code ?? err.message,
        ),
      ),
    );
    const counts: Record<string, number> = {};
    for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
    const coded = new Set(['served', '503 ERR_DAEMON_BUSY', '408 ERR_REQUEST_TIMEOUT']);
    const unanswered = outcomes.filter((o) => !coded.has(o)).length;
    record({
      attack: 'attack: 1000-connect burst on the socket',
      tried: BURST,
      failures: unanswered,
      note: Object.entries(counts)
        .map(([k, n]) => `${k}: ${n}`)
        .join(', '),
    });
    expect(counts).toEqual(expect.objectContaining({ served: expect.any(Number) }));
    expect(unanswered).toBe(0);
    expect(t.daemon.child.exitCode).toBeNull();
  });

  it(`answers normal requests while ${SLOW} slow-body connections are held, and cuts those at the body deadline`, async () => {
    const slow: Socket[] = [];
    const answers: string[] = [];
    const closedAt: number[] = [];
    const started = Date.now();
    const openSlow = (i: number) =>
      new Promise<void>((resolve) => {
        const s = connect(t.home.socket, () => {
          s.write(
            'POST /v1/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
          );
          resolve();
        });
        let answer = '';
        s.on('data', (d: Buffer) => {
          answer += d.toString();
        });
        s.on('error', () => resolve());
        s.on('close', () => {
          answers[i] = answer;
          closedAt[i] = Date.now() - started;
          resolve();
        });
        slow.push(s);
      });
    try {
      let opened = 0;
      for (const wave of SLOW_WAVES) {
        await Promise.all(Array.from({ length: wave }, () => openSlow(opened++)));
        // Long enough for every slow request to reach its body read, far below the deadline.
        await sleep(1_000);
      }
      const heldAtProbe = slow.filter((s) => !s.destroyed && s.readyState === 'open').length;
      const probes: { status: number; ms: number }[] = [];
      for (let i = 0; i < PROBES; i++) {
        const probeStarted = Date.now();
        const res = await api(t.home.socket, 'GET', '/v1/whoami').catch(() => ({ status: 0 }));
        probes.push({ status: res.status, ms: Date.now() - probeStarted });
      }
      const deadline = Date.now() + 15_000;
      while (closedAt.filter((x) => x !== undefined).length < SLOW && Date.now() < deadline) await sleep(100);
      const coded = (status: number, code: string) =>
        answers.filter((a) => (a ?? '').startsWith(`HTTP/1.1 ${status} `) && a.includes(`"code":"${code}"`))
          .length;
      const cut = coded(408, 'ERR_REQUEST_TIMEOUT');
      const busy = coded(503, 'ERR_DAEMON_BUSY');
      const failed = probes.filter((p) => p.status !== 200).length;
      record({
        attack: 'attack: slow bodies on the socket',
        tried: PROBES,
        failures: failed,
        note:
          `${SLOW} slow-body connections opened, ${heldAtProbe} held while normal requests got ` +
          `${probes.map((p) => p.status).join('/')} in ≤ ${Math.max(...probes.map((p) => p.ms))} ms; ` +
          `${cut} cut with a coded 408 (the last after ${Math.max(0, ...closedAt.filter(Number.isFinite))} ms), ` +
          `${busy} a coded 503, ${SLOW - cut - busy} nothing`,
      });
      expect(failed).toBe(0);
      // Every slow connection got an answer that says why: cut, evicted or turned away.
      expect(cut + busy).toBe(SLOW);
      // Cut by the body deadline (5 s, swept every second), not by the 30 s request timeout.
      expect(Math.max(...closedAt)).toBeLessThan(12_000);
      expect(t.daemon.child.exitCode).toBeNull();
    } finally {
      for (const s of slow) s.destroy();
    }
  });
});
