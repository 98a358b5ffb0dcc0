/**
 * The rows on screen and the selection, paged through the log with keyset queries (seq cursors
 * and LIMIT), so moving around a log of millions of rows fetches a screenful at a time and never
 * holds more than one. Newest first, like the table. Pure over the Pager seam.
 */
import type { AuditQuery, AuditRow } from '../../src/audit/index.js';
import type { AuditFilter } from './filter.js';

/** The one read the window needs; AuditReader is one. */
export interface Pager {
  query(q: AuditQuery): AuditRow[];
}

export interface Window {
  /** Newest first, at most the page size. */
  rows: AuditRow[];
  /** Index of the selected row in `rows`. */
  cursor: number;
}

export const EMPTY: Window = { rows: [], cursor: 0 };

/** The newest page (g). */
export function top(pager: Pager, filter: AuditFilter, size: number): Window {
  return { rows: pager.query({ ...filter, order: 'desc', limit: size }), cursor: 0 };
}

/** The oldest page (G), selection on the oldest row. */
export function bottom(pager: Pager, filter: AuditFilter, size: number): Window {
  const rows = pager.query({ ...filter, order: 'asc', limit: size }).reverse();
  return { rows, cursor: Math.max(0, rows.length - 1) };
}

/**
 * Moves the selection by `delta` rows (±1 for arrows, ±size for pages; positive is older). Within
 * the window only the selection moves; past its edge the missing rows are fetched beyond the
 * edge row. A single step scrolls by one; a page turns the whole window.
 */
export function move(pager: Pager, filter: AuditFilter, w: Window, delta: number, size: number): Window {
  const first = w.rows[0];
  const last = w.rows.at(-1);
  if (!first || !last) return top(pager, filter, size);
  const paging = Math.abs(delta) > 1;
  const target = w.cursor + delta;
  let combined = w.rows;
  let offset = 0;
  if (target > w.rows.length - 1) {
    const need = paging ? size : target - (w.rows.length - 1);
    combined = [...w.rows, ...pager.query({ ...filter, beforeSeq: last.seq, order: 'desc', limit: need })];
  } else if (target < 0) {
    const need = paging ? size : -target;
    const newer = pager.query({ ...filter, afterSeq: first.seq, order: 'asc', limit: need }).reverse();
    combined = [...newer, ...w.rows];
    offset = newer.length;
  }
  const cursor = clamp(offset + target, 0, combined.length - 1);
  let start = offset + (paging ? delta : 0);
  start = clamp(start, cursor - size + 1, cursor);
  start = clamp(start, 0, Math.max(0, combined.length - size));
  return { rows: combined.slice(start, start + size), cursor: cursor - start };
}

/**
 * Follow mode: rows committed since the newest on screen come in at the top. The selection stays
 * on the newest row if it was there, otherwise on the row it was on while that is still shown.
 */
export function newer(pager: Pager, filter: AuditFilter, w: Window, size: number): Window {
  const first = w.rows[0];
  if (!first) return top(pager, filter, size);
  const fresh = pager.query({ ...filter, afterSeq: first.seq, order: 'asc', limit: size }).reverse();
  if (fresh.length === 0) return w;
  const rows = [...fresh, ...w.rows].slice(0, size);
  const cursor = w.cursor === 0 ? 0 : Math.min(w.cursor + fresh.length, rows.length - 1);
  return { rows, cursor };
}

/** A new page size (terminal resized): same newest row, same selected row where it still fits. */
export function resize(pager: Pager, filter: AuditFilter, w: Window, size: number): Window {
  const first = w.rows[0];
  if (!first) return top(pager, filter, size);
  const rows = pager.query({ ...filter, beforeSeq: first.seq + 1, order: 'desc', limit: size });
  return { rows, cursor: Math.min(w.cursor, Math.max(0, rows.length - 1)) };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
