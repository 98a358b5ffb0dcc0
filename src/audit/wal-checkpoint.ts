/**
 * WAL checkpoints when the daemon is quiet. Left to SQLite, a checkpoint (copying the WAL into the
 * database, with its fsyncs) runs inside the commit that takes the WAL past a size, and the
 * request whose row that is waits milliseconds for it: the daemon's slowest answers at steady
 * load. Here it runs once no row has been committed for `quietMs`, when no request waits; SQLite's
 * own (writer.ts, at a larger size) remains for load that never pauses.
 */
import type { BatchWriter } from './group-commit.js';
import type { AuditRow } from './types.js';

export interface WalCheckpointer {
  checkpointWal(): void;
}

export interface QuietCheckpoints {
  /** The writer to commit through: each commit puts the checkpoint `quietMs` after it. */
  writer: BatchWriter;
  /** No checkpoint after this (before the writer closes, which checkpoints itself). */
  stop(): void;
}

export function checkpointWhenQuiet(
  writer: BatchWriter & WalCheckpointer,
  quietMs: number,
  onError: (err: unknown) => void,
): QuietCheckpoints {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const checkpoint = () => {
    try {
      writer.checkpointWal();
    } catch (err) {
      // The rows are committed whether or not they were copied; SQLite's own checkpoint retries.
      onError(err);
    }
  };
  return {
    writer: {
      appendBatch(inputs): AuditRow[] {
        const rows = writer.appendBatch(inputs);
        // refresh() also re-arms a timer that has already fired.
        if (timer) timer.refresh();
        else if (!stopped) timer = setTimeout(checkpoint, quietMs).unref();
        return rows;
      },
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
