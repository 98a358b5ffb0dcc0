/**
 * Read-only access to the audit log for the CLI and the TUI. It opens the file read-only, so a
 * reader can never extend or repair the chain, and relies on WAL to read while the daemon writes.
 * Every read is bounded by the caller (LIMIT, keyset cursors, verify batches), so a log of any
 * size opens as fast as a small one.
 */

import Database from 'better-sqlite3';
import { AgentIdError } from '../errors.js';
import { buildQuery } from './query.js';
import { EVENT_COLUMNS, type EventColumns, type EventValues, fromColumns } from './row.js';
import { assertSchema, NOT_ALLOWED } from './schema.js';
import type { Anchor, AuditQuery, AuditRow, VerifyResult } from './types.js';
import { ChainVerifier } from './verify.js';

// node:fs without its ES facade, which loads node:stream: docs/architecture.md, start-up.
const { existsSync } = process.getBuiltinModule('node:fs');

/** Rows per verify batch: big enough to amortize the query, small enough to yield often. */
const VERIFY_BATCH = 10_000;
/** Rows per read within a batch: few enough that their arrays die young (cheap to collect). */
const FETCH_CHUNK = 1_000;

export interface AuditStats {
  /** Rows in the log (seqs are contiguous, so this needs no scan). */
  rows: number;
  firstSeq: number | null;
  lastSeq: number | null;
  deny: number;
  error: number;
}

/** A chain check that keeps its place: each step checks at most `maxRows` more rows. */
export interface ChainCheck {
  step(maxRows: number): { result: VerifyResult; caughtUp: boolean };
}

interface AnchorColumns {
  seq: number;
  prev_hash: string;
  time: string;
  pruned_rows: number;
}

export class AuditReader {
  readonly #db: Database.Database;

  private constructor(db: Database.Database) {
    this.#db = db;
  }

  static open(path: string): AuditReader {
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      // Waits out the writer's brief exclusive moments (WAL recovery, checkpoint restart).
      db.pragma('busy_timeout = 5000');
      assertSchema(db, path);
      return new AuditReader(db);
    } catch (err) {
      db?.close();
      if (err instanceof AgentIdError) throw err;
      const message = existsSync(path)
        ? `cannot read audit log ${path}: ${err instanceof Error ? err.message : String(err)}`
        : `no audit log at ${path} yet: the daemon creates it when it first starts`;
      throw new AgentIdError('ERR_AUDIT_UNAVAILABLE', message, { cause: err });
    }
  }

  query(q: AuditQuery): AuditRow[] {
    const { sql, params } = buildQuery(q);
    return (this.#db.prepare(sql).all(...params) as EventColumns[]).map(fromColumns);
  }

  /** Rows one at a time, for streaming a log of any size (export). */
  *iterate(q: AuditQuery): Generator<AuditRow> {
    const { sql, params } = buildQuery(q);
    for (const columns of this.#db.prepare(sql).iterate(...params) as Iterable<EventColumns>) {
      yield fromColumns(columns);
    }
  }

  /** SQLite's plan for a query, for tests and `--explain`-style diagnostics. */
  plan(q: AuditQuery): string[] {
    const { sql, params } = buildQuery(q);
    const rows = this.#db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
    return rows.map((r) => r.detail);
  }

  stats(): AuditStats {
    const ends = this.#db.prepare('SELECT min(seq) AS first, max(seq) AS last FROM events').get() as {
      first: number | null;
      last: number | null;
    };
    // Each count walks only its decision's range of the (partial) events_decision index.
    const count = this.#db
      .prepare(`SELECT count(*) AS n FROM events WHERE decision = ? AND ${NOT_ALLOWED}`)
      .pluck();
    return {
      rows: ends.first === null || ends.last === null ? 0 : ends.last - ends.first + 1,
      firstSeq: ends.first,
      lastSeq: ends.last,
      deny: count.get('deny') as number,
      error: count.get('error') as number,
    };
  }

  /** The oldest seq the log holds; null when it holds none. */
  firstSeq(): number | null {
    return this.#db.prepare('SELECT min(seq) FROM events').pluck().get() as number | null;
  }

  /**
   * The newest seq the log has held: its last row, or when a prune took every row, the seq before
   * the anchor (the next row gets the anchor's seq); 0 for a log that never held a row.
   */
  headSeq(): number {
    return this.#db
      .prepare(
        `SELECT max(coalesce((SELECT max(seq) FROM events), 0),
                    coalesce((SELECT max(seq) - 1 FROM anchors), 0))`,
      )
      .pluck()
      .get() as number;
  }

  /** Every prune's anchor, oldest first. */
  anchors(): Anchor[] {
    return (this.#db.prepare('SELECT * FROM anchors ORDER BY seq').all() as AnchorColumns[]).map(toAnchor);
  }

  /**
   * A chain check from where the chain starts: the newest anchor at or before the first row (the
   * rows before it were pruned), or seq 1. With no anchor, a log whose head was deleted breaks at
   * its first row ("missing seq 1").
   */
  chainCheck(): ChainCheck {
    const first = this.#db.prepare('SELECT min(seq) FROM events').pluck().get() as number | null;
    const anchor = this.#db
      .prepare('SELECT * FROM anchors WHERE seq <= ? ORDER BY seq DESC LIMIT 1')
      .get(first ?? Number.MAX_SAFE_INTEGER) as AnchorColumns | undefined;
    const verifier = new ChainVerifier(anchor ? toAnchor(anchor) : null);
    // Raw arrays in seq order (the rowid itself: no index, no sort), a chunk per call: better-sqlite3
    // builds an array per row much faster than an object, and a chunk faster than a row at a time.
    const next = this.#db
      .prepare(`SELECT ${EVENT_COLUMNS.join(', ')} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`)
      .raw();
    // Starts below any seq SQLite can store, so a stray row before the chain is reported, not skipped.
    let after: number | bigint = -(2n ** 63n);
    return {
      step(maxRows) {
        let fetched = 0;
        while (!verifier.broken && fetched < maxRows) {
          const rows = next.all(after, Math.min(FETCH_CHUNK, maxRows - fetched)) as EventValues[];
          verifier.feed(rows);
          fetched += rows.length;
          const last = rows.at(-1);
          if (last !== undefined) after = last[0];
          if (rows.length < FETCH_CHUNK) break;
        }
        return { result: verifier.result(), caughtUp: verifier.broken || fetched < maxRows };
      },
    };
  }

  /** The stored hash of row `seq`, or null when the log has no such row. */
  hashAt(seq: number): string | null {
    return (
      (this.#db.prepare('SELECT hash FROM events WHERE seq = ?').pluck().get(seq) as string | undefined) ??
      null
    );
  }

  verify(): VerifyResult {
    const check = this.chainCheck();
    for (;;) {
      const { result, caughtUp } = check.step(VERIFY_BATCH);
      if (caughtUp) return result;
    }
  }

  close(): void {
    this.#db.close();
  }
}

function toAnchor(a: AnchorColumns): Anchor {
  return { seq: a.seq, prevHash: a.prev_hash, time: a.time, prunedRows: a.pruned_rows };
}
