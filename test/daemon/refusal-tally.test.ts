import { describe, expect, it } from 'vitest';
import { recordRefusals } from '../../daemon/record.js';
import { type Refusal, type RefusalCount, RefusalTally } from '../../daemon/refusal-tally.js';
import type { AuditEventInput, AuditRow } from '../../src/audit/index.js';

const refusal = (uid: number, action = 'aws.container'): Refusal => ({
  action,
  resource: 'dev',
  uid,
  errorCode: 'ERR_PEER_UID',
  why: 'another uid',
});

/** A tally on a hand-driven clock whose timers run when the test says. */
function tallyOnTestClock() {
  let ms = Date.parse('2025-06-01T12:00:00.000Z');
  const written: RefusalCount[] = [];
  const timers: { at: number; fn: () => void }[] = [];
  const tally = new RefusalTally({
    write: (count) => written.push(count),
    now: () => new Date(ms),
    after: (delay, fn) => timers.push({ at: ms + delay, fn }),
    intervalMs: 10_000,
  });
  const advance = (by: number) => {
    ms += by;
    for (const timer of timers.splice(0)) {
      if (timer.at <= ms) timer.fn();
      else timers.push(timer);
    }
  };
  return { tally, written, advance };
}

describe('RefusalTally', () => {
  it('writes one count per uid per interval, with the time span', () => {
    const { tally, written, advance } = tallyOnTestClock();
    for (let i = 0; i < 1000; i++) {
      tally.refuse(refusal(65534));
      if (i % 100 === 0) advance(10);
    }
    tally.refuse(refusal(1001));
    expect(written).toEqual([]);
    advance(10_000);
    expect(written.map((w) => [w.refusal.uid, w.count])).toEqual([
      [65534, 1000],
      [1001, 1],
    ]);
    expect(written[0]?.first.toISOString()).toBe('2025-06-01T12:00:00.000Z');
    expect(written[0]?.last.toISOString()).toBe('2025-06-01T12:00:00.100Z');
  });

  it('starts a new interval after writing, and keeps doors apart', () => {
    const { tally, written, advance } = tallyOnTestClock();
    tally.refuse(refusal(65534));
    advance(10_000);
    tally.refuse(refusal(65534));
    tally.refuse(refusal(65534, 'request'));
    advance(10_000);
    expect(written.map((w) => [w.refusal.action, w.count])).toEqual([
      ['aws.container', 1],
      ['aws.container', 1],
      ['request', 1],
    ]);
  });

  it('flush writes what is pending, once', () => {
    const { tally, written, advance } = tallyOnTestClock();
    tally.refuse(refusal(65534));
    tally.refuse(refusal(65534));
    tally.flush();
    expect(written.map((w) => w.count)).toEqual([2]);
    advance(10_000);
    expect(written).toHaveLength(1);
  });
});

describe('recordRefusals', () => {
  it('writes one deny row naming the uid, the count and the span, with no process', async () => {
    const rows: AuditEventInput[] = [];
    const audit = {
      append: (e: AuditEventInput) => {
        rows.push(e);
        return Promise.resolve({ seq: rows.length } as AuditRow);
      },
      prune: () => never(),
    };
    const log = { info: never, warn: never, error: never };
    await recordRefusals(
      { audit, log },
      {
        refusal: refusal(65534),
        count: 1000,
        first: new Date('2025-06-01T12:00:00.000Z'),
        last: new Date('2025-06-01T12:00:05.000Z'),
      },
    );
    expect(rows).toEqual([
      expect.objectContaining({
        action: 'aws.container',
        decision: 'deny',
        agent: 'unknown',
        resource: 'dev',
        peer: { pid: 0, uid: 65534, gid: -1, exe: null },
        attestation: null,
        errorCode: 'ERR_PEER_UID',
        reason:
          'refused 1000 connections of uid 65534 at accept (another uid) from 2025-06-01T12:00:00.000Z to 2025-06-01T12:00:05.000Z',
      }),
    ]);
  });
});

function never(): never {
  throw new Error('not used');
}
