/**
 * Cell text for the audit table: fixed-width, truncated with an ellipsis, so columns line up at
 * any terminal width. Pure.
 */
import type { AuditRow } from '../../src/audit/index.js';
import { printable } from '../../src/printable.js';

export interface Column {
  title: string;
  width: number;
  cell(row: AuditRow): string;
}

/** `2025-06-01 12:00:00` (UTC, as stored). */
export function shortTime(iso: string): string {
  return iso.replace('T', ' ').slice(0, 19);
}

/**
 * The credential's lifetime as issued (expiry minus decision time): `15m`, `1h`; `never` for a
 * long-lived secret (a static one: its row carries no expiry, only its lease in the reason), `-`
 * for rows without a credential.
 */
export function ttl(row: AuditRow): string {
  if (row.expiresAt === null) return row.reason?.includes('lifetime=long-lived') ? 'never' : '-';
  const seconds = Math.round((Date.parse(row.expiresAt) - Date.parse(row.time)) / 1000);
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 0) return 'expired';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86_400)}d`;
}

/** Escaped first: the audit log holds what attested processes chose (agent names, resources). */
export function padCell(text: string, width: number): string {
  if (width <= 0) return '';
  const shown = printable(text);
  if (shown.length <= width) return shown.padEnd(width);
  return `${shown.slice(0, Math.max(0, width - 1))}…`;
}

/** The table's columns for a terminal `width` wide: fixed columns first, the rest shared out. */
export function columns(width: number): Column[] {
  const fixed: Column[] = [
    { title: 'SEQ', width: 8, cell: (r) => String(r.seq) },
    { title: 'TIME (UTC)', width: 19, cell: (r) => shortTime(r.time) },
    { title: 'DECISION', width: 8, cell: (r) => r.decision },
  ];
  const ttlColumn: Column = { title: 'TTL', width: 7, cell: ttl };
  const flexible: [string, number, (r: AuditRow) => string][] = [
    ['AGENT', 0.2, (r) => r.agent],
    ['HUMAN', 0.3, (r) => r.human ?? '-'],
    ['ACTION', 0.2, (r) => r.action],
    ['RESOURCE', 0.3, (r) => r.resource ?? '-'],
  ];
  const gaps = fixed.length + flexible.length;
  const used = fixed.reduce((sum, c) => sum + c.width, 0) + ttlColumn.width + gaps;
  const spare = Math.max(flexible.length * 6, width - used);
  return [
    ...fixed,
    ...flexible.map(([title, share, cell]) => ({
      title,
      width: Math.max(6, Math.floor(spare * share)),
      cell,
    })),
    ttlColumn,
  ];
}
