/** The audit log as the shipper reads it: the read-only AuditReader, never the writer. */
import type { AuditReader } from '../reader.js';
import type { ShipSource } from './shipper.js';

export function readerSource(reader: AuditReader): ShipSource {
  return {
    after: (seq, limit) => reader.query({ afterSeq: seq, limit, order: 'asc' }),
    headSeq: () => reader.headSeq(),
    startSeq: () => {
      const first = reader.firstSeq();
      return first === null ? reader.headSeq() : first - 1;
    },
    // A prune deletes every row below its anchor's seq, so an anchor past the gap explains it.
    prunedBetween: (_from, to) => reader.anchors().some((anchor) => anchor.seq > to),
  };
}
