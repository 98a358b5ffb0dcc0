/**
 * Audit append throughput: what the hash chain costs on the write path. In process, the daemon's
 * own `AuditWriter.append` (canonical JSON, digests, chain hash, one committed INSERT per row)
 * against a plain better-sqlite3 prepared INSERT of the very same stored rows into the same schema,
 * WAL, synchronous = NORMAL, one transaction per row, so the ratio is the writer's work on top of
 * SQLite's. The rows are the newest ones the bench daemon wrote for real whoami callers, and every
 * round starts on fresh files, interleaved, so both sides see the same sizes and the same machine.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type AuditDeps, AuditReader, type AuditRow, AuditWriter } from '../src/audit/index.js';
import { fmtInt, fmtRatio } from './format.js';
import { percentile } from './load.js';

export interface AuditAppendOptions {
  workDir: string;
  /** The bench daemon's audit log: the source of realistic rows. */
  sourceDb: string;
  rows: number;
  rounds: number;
  /** Untimed rows of each kind first, so neither side is measured cold. */
  warmupRows: number;
  /** The writer's clock and ids, as the daemon gives them. */
  auditDeps: AuditDeps;
  now: () => number;
  progress: (message: string) => void;
}

export interface AuditAppendResult {
  rows: number;
  /** Rows per second of each round. */
  writer: number[];
  insert: number[];
  /** The chain the writer built in its last round, checked by the verifier. */
  verified: boolean;
}

export function benchAuditAppend(o: AuditAppendOptions): AuditAppendResult {
  const { events, values } = readSource(o.sourceDb, o.rows);
  const writer: number[] = [];
  const insert: number[] = [];
  let verified = false;
  for (let round = 0; round <= o.rounds; round++) {
    // Round 0 is the warm-up: fewer rows, not recorded.
    const size = round === 0 ? o.warmupRows : events.length;
    if (round > 0) o.progress(`audit append: round ${round}/${o.rounds}, ${fmtInt(size)} rows each`);
    const writerDb = join(o.workDir, `append-writer-${round}.db`);
    const insertDb = join(o.workDir, `append-insert-${round}.db`);
    const writerRate = appendAll(writerDb, events.slice(0, size), o);
    const insertRate = insertAll(insertDb, values.slice(0, size), o);
    if (round > 0) {
      writer.push(writerRate);
      insert.push(insertRate);
    }
    if (round === o.rounds) verified = verifies(writerDb, size);
    removeLog(writerDb);
    removeLog(insertDb);
  }
  return { rows: events.length, writer, insert, verified };
}

/** The newest `rows` rows, oldest first: as events for the writer and as raw stored values. */
function readSource(path: string, rows: number): { events: AuditRow[]; values: unknown[][] } {
  const reader = AuditReader.open(path);
  const events = reader.query({ order: 'desc', limit: rows }).reverse();
  reader.close();
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const values = db
      .prepare('SELECT * FROM (SELECT * FROM events ORDER BY seq DESC LIMIT ?) ORDER BY seq')
      .raw()
      .all(rows) as unknown[][];
    if (events.length < rows || values.length !== events.length) {
      throw new Error(`the bench daemon wrote ${events.length} audit rows, the append bench needs ${rows}`);
    }
    return { events, values };
  } finally {
    db.close();
  }
}

/** Rows per second through the daemon's writer, on a fresh log. */
function appendAll(path: string, events: readonly AuditRow[], o: AuditAppendOptions): number {
  const writer = AuditWriter.open(path, o.auditDeps);
  try {
    const started = o.now();
    // A stored row is a superset of an event; the writer copies only the event's fields.
    for (const event of events) writer.append(event);
    return rate(events.length, o.now() - started);
  } finally {
    writer.close();
  }
}

/** Rows per second through a bare prepared INSERT, on a fresh log with the writer's schema. */
function insertAll(path: string, values: readonly unknown[][], o: AuditAppendOptions): number {
  AuditWriter.open(path, o.auditDeps).close();
  const db = new Database(path);
  try {
    if (db.pragma('journal_mode = WAL', { simple: true }) !== 'wal') throw new Error(`${path}: no WAL`);
    // As the writer sets it: the difference must be the writer's work, not a cheaper commit.
    db.pragma('synchronous = NORMAL');
    const width = values[0]?.length ?? 0;
    const stmt = db.prepare(`INSERT INTO events VALUES (${Array(width).fill('?').join(', ')})`);
    const started = o.now();
    // Outside a transaction every run is its own transaction: one commit per row, like append.
    for (const row of values) stmt.run(...row);
    return rate(values.length, o.now() - started);
  } finally {
    db.close();
  }
}

function verifies(path: string, rows: number): boolean {
  const reader = AuditReader.open(path);
  try {
    const result = reader.verify();
    return result.ok && result.rows === rows;
  } finally {
    reader.close();
  }
}

function removeLog(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}

function rate(rows: number, ms: number): number {
  return ms > 0 ? (rows * 1000) / ms : 0;
}

/** The writer's µs per committed row, as the table below reports it. */
export function writerUsPerRow(r: AuditAppendResult): number {
  return 1_000_000 / median(r.writer);
}

export function renderAuditAppend(r: AuditAppendResult): string[] {
  const writer = median(r.writer);
  const insert = median(r.insert);
  const each = (runs: number[]) => runs.map(fmtInt).join(' / ');
  return [
    '## Audit append',
    '',
    `In process, median of ${r.writer.length} rounds of ${fmtInt(r.rows)} rows, interleaved, each on a ` +
      "fresh file: the daemon's newest whoami rows of this run appended by `AuditWriter.append` (row building, " +
      'canonical JSON, attestation digest, chain hash, one commit per row), and the same stored rows put ' +
      'by a plain prepared INSERT into the same schema, WAL, synchronous = NORMAL, one transaction per ' +
      'row. The ratio is what the hash chain and the writer cost on top of SQLite.',
    '',
    '| Append | rows/s | µs per row | × plain INSERT | rows/s of each run |',
    '|---|--:|--:|--:|---|',
    `| \`AuditWriter.append\` | ${fmtInt(writer)} | ${perRow(writer)} | ${fmtRatio(writer / insert)} | ` +
      `${each(r.writer)} |`,
    `| plain prepared INSERT | ${fmtInt(insert)} | ${perRow(insert)} | 1.00× | ${each(r.insert)} |`,
    '',
    `The chain written in the last round passes \`audit verify\`: ${r.verified ? 'yes ✅' : 'no ❌'}`,
  ];
}

function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

function perRow(rowsPerSec: number): string {
  return (1_000_000 / rowsPerSec).toFixed(1);
}
