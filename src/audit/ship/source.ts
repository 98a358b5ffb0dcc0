/**
 * The audit log as the shipper reads it: the read-only AuditReader, never the writer. With two
 * sinks (syslog and file) both read the same rows, usually moments apart, so the last batch read is
 * kept and served again: each row is read, decoded and turned into its OCSF event once.
 */
import { ocsfJson } from '../ocsf.js';
import type { AuditReader } from '../reader.js';
import type { AuditRow } from '../types.js';
import type { ShipSource } from './shipper.js';

export function readerSource(reader: AuditReader): ShipSource {
  // The rows of the last query, which asked for up to `limit` rows after `after`.
  let last: { after: number; limit: number; rows: AuditRow[] } = { after: -1, limit: 0, rows: [] };
  return {
    after(seq, limit) {
      const { rows } = last;
      const end = rows.at(-1)?.seq ?? -1;
      if (seq >= last.after && seq < end) {
        const from = rows.findIndex((row) => row.seq > seq);
        const served = rows.slice(from, from + limit);
        // Served only when whole: a short slice of a full batch would read as "caught up".
        if (served.length === limit || rows.length < last.limit) return served;
      }
      last = { after: seq, limit, rows: reader.query({ afterSeq: seq, limit, order: 'asc' }) };
      return last.rows;
    },
    headSeq: () => reader.headSeq(),
    startSeq: () => {
      const first = reader.firstSeq();
      return first === null ? reader.headSeq() : first - 1;
    },
    // A prune deletes every row below its anchor's seq, so an anchor past the gap explains it.
    prunedBetween: (_from, to) => reader.anchors().some((anchor) => anchor.seq > to),
  };
}

const events = new WeakMap<AuditRow, string>();

/** The row's OCSF event JSON, made once per row object however many sinks send it. */
export function ocsfText(row: AuditRow): string {
  let text = events.get(row);
  if (text === undefined) {
    text = ocsfJson(row);
    events.set(row, text);
  }
  return text;
}
