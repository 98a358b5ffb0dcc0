import { describe, expect, it } from 'vitest';
import { parseSince } from '../../cli/parse-since.js';

const now = new Date('2026-11-28T12:00:00.000Z');

describe('parseSince', () => {
  it.each([
    ['30s', '2026-11-28T11:59:30.000Z'],
    ['15m', '2026-11-28T11:45:00.000Z'],
    ['2h', '2026-11-28T10:00:00.000Z'],
    ['7d', '2026-11-21T12:00:00.000Z'],
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2026-11-28T09:00:00Z', '2026-11-28T09:00:00.000Z'],
  ])('%s -> %s', (input, expected) => {
    expect(parseSince(input, now).toISOString()).toBe(expected);
  });

  it.each(['', 'yesterday', '15', '15x', '-5m', '2026-13-45'])('rejects %j with ERR_USAGE', (input) => {
    expect(() => parseSince(input, now)).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }));
  });
});
