/**
 * The chain check behind `agentid audit verify`: walks rows in seq order, one at a time, and
 * names the first row that does not check out. Rows must start at seq 1 and be contiguous (a
 * deleted row breaks at the seq after the gap), each prev_hash must equal the previous row's
 * hash, and each hash must be recomputable from the row. Editing a row and fixing up its hash
 * still breaks the link from the next row; truncating the tail is not detectable from the file
 * alone.
 */
import { AgentIdError } from '../errors.js';
import { chainHash, type EventColumns, fromColumns, GENESIS_HASH } from './row.js';
import type { VerifyResult } from './types.js';

export function verifyChain(rows: Iterable<EventColumns>): VerifyResult {
  let checked = 0;
  let lastSeq = 0;
  let lastHash = GENESIS_HASH;
  for (const columns of rows) {
    const reason = problemWith(columns, lastSeq + 1, lastHash);
    if (reason !== null) return { ok: false, rows: checked, brokenSeq: columns.seq, reason };
    checked++;
    lastSeq = columns.seq;
    lastHash = columns.hash;
  }
  return { ok: true, rows: checked, lastSeq };
}

function problemWith(columns: EventColumns, expectedSeq: number, expectedPrevHash: string): string | null {
  if (columns.seq > expectedSeq) return `missing seq ${expectedSeq}`;
  if (columns.seq < expectedSeq) return `unexpected seq ${columns.seq}`;
  if (columns.prev_hash !== expectedPrevHash) return 'prev_hash does not link';
  try {
    const { hash, ...unhashed } = fromColumns(columns);
    return chainHash(unhashed) === hash ? null : 'hash mismatch';
  } catch (err) {
    // A row that cannot even be decoded or canonicalized was not written by the writer.
    if (err instanceof AgentIdError) return err.message;
    throw err;
  }
}
