import { describe, expect, it } from 'vitest';
import { ConnectionSlots, type Slot } from '../../daemon/connection-slots.js';

function slotsOnTestClock(cap = 2, overflowCap = 1, graceMs = 500) {
  let ms = 0;
  const slots = new ConnectionSlots({ cap, overflowCap, graceMs }, () => ms);
  const evicted: string[] = [];
  const open = (name: string): Slot | null => slots.open(() => evicted.push(name));
  return { slots, evicted, open, advance: (by: number) => (ms += by) };
}

describe('ConnectionSlots', () => {
  it('hands out slots up to the cap', () => {
    const { slots, open } = slotsOnTestClock(2);
    expect(open('a')?.overflow).toBe(false);
    expect(open('b')?.overflow).toBe(false);
    expect(slots.size).toBe(2);
  });

  it('at the cap, takes the longest-idle slot first', () => {
    const { evicted, open, advance } = slotsOnTestClock(2);
    const a = open('a');
    const b = open('b');
    a?.enter('busy');
    b?.enter('idle');
    advance(10);
    a?.enter('idle');
    expect(open('c')?.overflow).toBe(false);
    expect(evicted).toEqual(['b']);
  });

  it('takes a connection stuck in its headers or body only after the grace, the oldest first', () => {
    const { evicted, open, advance } = slotsOnTestClock(2, 1, 500);
    const a = open('a');
    open('b');
    a?.enter('body');
    advance(499);
    // Both could still be a normal client a moment behind: the newcomer overflows instead.
    expect(open('early')?.overflow).toBe(true);
    advance(1);
    expect(open('c')?.overflow).toBe(false);
    expect(evicted).toEqual(['a']);
  });

  it('never takes a busy connection: the newcomer overflows, and past the overflow cap gets nothing', () => {
    const { evicted, open, advance } = slotsOnTestClock(1, 1);
    open('a')?.enter('busy');
    advance(60_000);
    const spare = open('b');
    expect(spare?.overflow).toBe(true);
    expect(open('c')).toBeNull();
    spare?.close();
    expect(open('d')?.overflow).toBe(true);
    expect(evicted).toEqual([]);
  });

  it('frees a slot on close, once, also after an eviction', () => {
    const { slots, evicted, open } = slotsOnTestClock(1);
    const a = open('a');
    a?.enter('idle');
    const b = open('b');
    expect(evicted).toEqual(['a']);
    a?.close();
    expect(slots.size).toBe(1);
    b?.close();
    b?.close();
    expect(slots.size).toBe(0);
  });
});

describe('ConnectionSlots and a busy daemon', () => {
  it('does not take a stuck connection whose input is there, unread: the daemon is slow, not it', () => {
    let ms = 0;
    const slots = new ConnectionSlots({ cap: 2, overflowCap: 1, graceMs: 500 }, () => ms);
    const evicted: string[] = [];
    slots.open(
      () => evicted.push('waiting'),
      () => true,
    );
    slots.open(
      () => evicted.push('silent'),
      () => false,
    );
    ms += 1_000;
    expect(
      slots.open(
        () => evicted.push('new'),
        () => true,
      )?.overflow,
    ).toBe(false);
    expect(evicted).toEqual(['silent']);
    ms += 1_000;
    // Both left have their input waiting: the next newcomer overflows.
    expect(slots.open(() => evicted.push('newer'))?.overflow).toBe(true);
  });
});
