import { statSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuditReader, AuditWriter, checkpointWhenQuiet } from '../../src/audit/index.js';
import { event, steppingDeps, tempDbPath } from './helpers.js';

// Until a checkpoint copies them, committed pages live in the WAL and the database file keeps its size.
const databaseBytes = (path: string) => statSync(path).size;
const walBytes = (path: string) => statSync(`${path}-wal`).size;

describe('audit WAL checkpoints', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('leaves the WAL to grow past SQLite default of 1,000 pages inside commits, and copies it on checkpointWal', () => {
    const path = tempDbPath();
    const writer = AuditWriter.open(path, steppingDeps());
    writer.append(event());
    writer.checkpointWal();
    const before = databaseBytes(path);
    // Five pages a row: 1,500 pages, past where SQLite would have checkpointed inside a commit.
    for (let i = 0; i < 300; i++) writer.append(event({ latencyMs: i }));
    expect(walBytes(path)).toBeGreaterThan(1_000 * 4096);
    expect(databaseBytes(path)).toBe(before);

    writer.checkpointWal();
    expect(databaseBytes(path)).toBeGreaterThan(before);
    const reader = AuditReader.open(path);
    expect(reader.verify()).toEqual({ ok: true, rows: 301, lastSeq: 301 });
    reader.close();
    writer.close();
  });

  it('cuts a large WAL back to 4 MiB once it starts over after a checkpoint', () => {
    const path = tempDbPath();
    const writer = AuditWriter.open(path, steppingDeps());
    for (let i = 0; i < 1_000; i++) writer.append(event({ latencyMs: i }));
    expect(walBytes(path)).toBeGreaterThan(16 * 1024 * 1024);
    writer.checkpointWal();
    writer.append(event());
    expect(walBytes(path)).toBeLessThanOrEqual(4 * 1024 * 1024);
    writer.close();
  });

  it('checkpoints once commits have paused for the quiet time, again after each later burst, and not after stop', () => {
    vi.useFakeTimers();
    const path = tempDbPath();
    const audit = AuditWriter.open(path, steppingDeps());
    const checkpoints = vi.spyOn(audit, 'checkpointWal');
    const quiet = checkpointWhenQuiet(audit, 1_000, (err) => {
      throw err;
    });
    // Not armed before the first commit.
    vi.advanceTimersByTime(5_000);
    expect(checkpoints).not.toHaveBeenCalled();

    const before = databaseBytes(path);
    for (let i = 0; i < 10; i++) {
      quiet.writer.appendBatch([event({ latencyMs: i })]);
      // Each commit puts the checkpoint a full quiet time after it.
      vi.advanceTimersByTime(600);
    }
    expect(checkpoints).not.toHaveBeenCalled();
    vi.advanceTimersByTime(400);
    expect(checkpoints).toHaveBeenCalledTimes(1);
    expect(databaseBytes(path)).toBeGreaterThan(before);

    quiet.writer.appendBatch([event(), event()]);
    vi.advanceTimersByTime(1_000);
    expect(checkpoints).toHaveBeenCalledTimes(2);

    quiet.writer.appendBatch([event()]);
    quiet.stop();
    quiet.writer.appendBatch([event()]);
    vi.advanceTimersByTime(5_000);
    expect(checkpoints).toHaveBeenCalledTimes(2);
    audit.close();
  });

  it('reports a failed checkpoint and keeps committing', () => {
    vi.useFakeTimers();
    const path = tempDbPath();
    const audit = AuditWriter.open(path, steppingDeps());
    const failure = new Error('disk I/O error');
    vi.spyOn(audit, 'checkpointWal').mockImplementation(() => {
      throw failure;
    });
    const errors: unknown[] = [];
    const quiet = checkpointWhenQuiet(audit, 1_000, (err) => errors.push(err));
    quiet.writer.appendBatch([event()]);
    vi.advanceTimersByTime(1_000);
    expect(errors).toEqual([failure]);
    expect(quiet.writer.appendBatch([event()])[0]?.seq).toBe(2);
    quiet.stop();
    audit.close();
  });
});
