/**
 * `--since` accepts what people type: a duration back from now (`30s`, `15m`, `2h`, `7d`) or an
 * ISO 8601 date/time. Pure, with table tests.
 */
import { AgentIdError } from '../src/errors.js';

const unitMs = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseSince(value: string, now: Date): Date {
  const duration = /^(\d+)([smhd])$/.exec(value.trim());
  if (duration) {
    const [, amount, unit] = duration;
    return new Date(now.getTime() - Number(amount) * unitMs[unit as keyof typeof unitMs]);
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new AgentIdError(
    'ERR_USAGE',
    `--since ${JSON.stringify(value)} is neither a duration (30s, 15m, 2h, 7d) nor an ISO date (2026-11-28T09:00Z)`,
  );
}
