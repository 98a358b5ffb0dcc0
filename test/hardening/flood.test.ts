/**
 * Attack: 1,000 idle connections and a slow-loris client at once, on the default limits. A normal
 * request must still be answered, promptly, while both are in place, and the slow-loris client
 * must be cut by the header timeout.
 */
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { api, useDaemon } from '../e2e/harness.js';
import { record } from './tally.js';

const IDLE = 1_000;
const PROBES = 20;
/**
 * Past the grace in which a connection that has sent nothing keeps its slot at the cap
 * (daemon/connection-slots.ts): a newcomer in that first half second gets a coded 503, after it
 * the flood's connections are shed for it. The flood stays in place throughout.
 */
const SILENT_GRACE_MS = 600;

describe('idle flood and slow loris', () => {
  // A short header timeout so the slow-loris client is cut within the test; the connection cap
  // stays at its default (256), far below the flood.
  const t = useDaemon('[daemon]\nheaders_timeout_ms = 2000\n');

  it(`answers normal requests while ${IDLE} idle connections and a slow-loris client are open`, async () => {
    const idle: Socket[] = [];
    let failures = 0;
    let loris: Socket | undefined;
    let trickle: NodeJS.Timeout | undefined;
    try {
      await Promise.all(
        Array.from(
          { length: IDLE },
          () =>
            new Promise<void>((resolve) => {
              const s = connect(t.home.socket, () => resolve());
              s.on('error', () => resolve());
              s.on('close', () => resolve());
              idle.push(s);
            }),
        ),
      );
      await new Promise((r) => setTimeout(r, SILENT_GRACE_MS));
      // Opened after the flood, so it is the newest connection: what cuts it must be the header
      // timeout, not the cap shedding the longest-idle connections.
      loris = connect(t.home.socket);
      let lorisClosedAfter: number | null = null;
      let lorisAnswer = '';
      const lorisStarted = Date.now();
      loris.on('error', () => {});
      // Read what the daemon says: an unread socket never reports its end.
      loris.on('data', (d: Buffer) => {
        lorisAnswer += d.toString();
      });
      loris.once('close', () => {
        lorisClosedAfter = Date.now() - lorisStarted;
      });
      loris.write('POST /v1/token HTTP/1.1\r\nHost: x\r\n');
      trickle = setInterval(() => loris?.writable && loris.write('X'), 200);
      for (let i = 0; i < PROBES; i++) {
        const started = Date.now();
        let res = await api(t.home.socket, 'GET', '/v1/whoami').catch(() => null);
        // A coded 503 means "busy, ask again" (the cap's grace for connections still arriving):
        // asked again, it must be served; "promptly" is far below any timeout a client gives up at.
        while (res?.status === 503 && Date.now() - started < 2_000) {
          await new Promise((r) => setTimeout(r, 100));
          res = await api(t.home.socket, 'GET', '/v1/whoami').catch(() => null);
        }
        if (res?.status !== 200 || Date.now() - started > 2_000) failures++;
      }
      const waitUntil = Date.now() + 10_000;
      while (lorisClosedAfter === null && Date.now() < waitUntil)
        await new Promise((r) => setTimeout(r, 100));
      record({
        attack: 'attack: 1000 idle + slow loris',
        tried: PROBES,
        failures,
        note: `normal requests answered while flooded; slow loris cut after ${lorisClosedAfter ?? 'never'} ms`,
      });
      expect(failures).toBe(0);
      expect(lorisClosedAfter).not.toBeNull();
      // Cut by headers_timeout_ms (2 s, swept every second), not at once and not never.
      expect(lorisClosedAfter).toBeGreaterThanOrEqual(1_500);
      expect(lorisClosedAfter).toBeLessThan(8_000);
      expect(lorisAnswer).toMatch(/^HTTP\/1\.1 408 .*"code":"ERR_REQUEST_TIMEOUT"/s);
      expect(t.daemon.child.exitCode).toBeNull();
    } finally {
      clearInterval(trickle);
      loris?.destroy();
      for (const s of idle) s.destroy();
    }
  });
});
