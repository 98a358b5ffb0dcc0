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
 *
 * A row that nothing waits for (the gateway's `http.result`, written after its answer went out)
 * is `appendLater`: it rides in the next group's transaction instead of paying a commit of its
 * own, and `later` (the daemon passes a short timer) commits it when no group comes first. No
 * invariant depends on such a row being durable at once: it gates nothing, and a crash could
 * already lose it between the answer and its commit; `flush` commits what waits, at shutdown.
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
  /** As `append`, for a row nobody waits on: committed with the next group, or by `later`. */
  appendLater(input: AuditEventInput): Promise<AuditRow>;
  /** Commits every waiting row now (before the writer closes). */
  flush(): void;
}

interface Pending {
  input: AuditEventInput;
  resolve: (row: AuditRow) => void;
  reject: (err: unknown) => void;
}

export function createGroupCommit(
  writer: BatchWriter,
  schedule: (flush: () => void) => void,
  later: (flush: () => void) => void = schedule,
): GroupCommit {
  let pending: Pending[] = [];
  /** A flush is scheduled by `schedule` (and so comes soon), not only by `later`. */
  let soon = false;
  let waitingLater = false;

  function flush(): void {
    soon = false;
    waitingLater = false;
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
        if (!soon) {
          soon = true;
          schedule(flush);
        }
        pending.push({ input, resolve, reject });
      });
    },
    appendLater(input) {
      return new Promise<AuditRow>((resolve, reject) => {
        if (!soon && !waitingLater) {
          waitingLater = true;
          later(flush);
        }
        pending.push({ input, resolve, reject });
      });
    },
    flush,
  };
}
