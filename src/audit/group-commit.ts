/**
 * Group commit: the rows of requests that arrive together go into the audit log in one
 * transaction, and each request gets its row only once that transaction has committed
 * (SECURITY.md invariant 4 holds per row: no answer leaves before its row is durable). A commit
 * costs about the same for one row as for dozens, so under load the daemon pays it once per turn of its event
 * loop instead of once per request.
 *
 * Rows wait for `schedule` (the daemon passes setImmediate: the check phase right after the poll
 * phase in which the requests' bytes were read), never for a timer, so a lone request waits for
 * nothing but its own commit.
 */
import { toAgentIdError } from '../errors.js';
import type { AuditEventInput, AuditRow } from './types.js';
import { checkAuditEvent } from './writer.js';

/** What a group commit needs of the writer (AuditWriter). */
export interface BatchWriter {
  appendBatch(inputs: readonly AuditEventInput[]): AuditRow[];
}

export interface GroupCommit {
  /** Resolves with the row once it is committed; rejects when it was not (nothing of it is kept). */
  append(input: AuditEventInput): Promise<AuditRow>;
}

interface Pending {
  input: AuditEventInput;
  resolve: (row: AuditRow) => void;
  reject: (err: unknown) => void;
}

export function createGroupCommit(writer: BatchWriter, schedule: (flush: () => void) => void): GroupCommit {
  let pending: Pending[] = [];

  function flush(): void {
    const batch = pending;
    pending = [];
    // One caller's bad event must not fail the others' rows: it is refused on its own.
    const valid = batch.filter((entry) => {
      try {
        checkAuditEvent(entry.input);
        return true;
      } catch (err) {
        entry.reject(err);
        return false;
      }
    });
    if (valid.length === 0) return;
    let rows: AuditRow[];
    try {
      rows = writer.appendBatch(valid.map((entry) => entry.input));
    } catch (err) {
      // All or none: no row of this batch was committed, so every request fails closed.
      const error = toAgentIdError(err);
      for (const entry of valid) entry.reject(error);
      return;
    }
    valid.forEach((entry, i) => {
      entry.resolve(rows[i] as AuditRow);
    });
  }

  return {
    append(input) {
      return new Promise<AuditRow>((resolve, reject) => {
        if (pending.length === 0) schedule(flush);
        pending.push({ input, resolve, reject });
      });
    },
  };
}
