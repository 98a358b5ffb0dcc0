import { describe, expect, it } from 'vitest';
import { type Refusal, RefusalTally } from '../../src/audit/refusals.js';
import type { AuditEventInput } from '../../src/audit/types.js';

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
  const rows: AuditEventInput[] = [];
  const timers: { at: number; fn: () => void }[] = [];
  const tally = new RefusalTally({
    append: (event) => rows.push(event),
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
  return { tally, rows, advance };
}

describe('RefusalTally', () => {
  it('writes one row per uid per interval, with the count and the time span', () => {
    const { tally, rows, advance } = tallyOnTestClock();
    for (let i = 0; i < 1000; i++) {
      tally.refuse(refusal(65534));
      if (i % 100 === 0) advance(10);
    }
    tally.refuse(refusal(1001));
    expect(rows).toEqual([]);
    advance(10_000);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      action: 'aws.container',
      decision: 'deny',
      resource: 'dev',
      peer: { pid: 0, uid: 65534 },
      errorCode: 'ERR_PEER_UID',
      reason:
        'refused 1000 connections of uid 65534 at accept (another uid) from 2025-06-01T12:00:00.000Z to 2025-06-01T12:00:00.100Z',
    });
    expect(rows[1]?.reason).toMatch(/^refused 1 connection of uid 1001 /);
  });

  it('starts a new interval after writing, and keeps doors apart', () => {
    const { tally, rows, advance } = tallyOnTestClock();
    tally.refuse(refusal(65534));
    advance(10_000);
    tally.refuse(refusal(65534));
    tally.refuse(refusal(65534, 'request'));
    advance(10_000);
    expect(rows.map((r) => [r.action, r.reason?.split(' ')[1]])).toEqual([
      ['aws.container', '1'],
      ['aws.container', '1'],
      ['request', '1'],
    ]);
  });

  it('flush writes what is pending, once', () => {
    const { tally, rows, advance } = tallyOnTestClock();
    tally.refuse(refusal(65534));
    tally.refuse(refusal(65534));
    tally.flush();
    expect(rows.map((r) => r.reason?.split(' ')[1])).toEqual(['2']);
    advance(10_000);
    expect(rows).toHaveLength(1);
  });
});
