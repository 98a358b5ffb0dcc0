/**
 * The daemon's single writer of the audit log. `append` and `appendBatch` are synchronous and
 * return only once their rows are committed, so the daemon can hold back a credential until its
 * audit row exists (SECURITY.md invariant 4). `appendBatch` puts many rows in one transaction: the
 * daemon's group commit (group-commit.ts) uses it for the rows of requests that arrive together.
 * The chain head (last seq and hash) lives in memory, read once at open, so the hot path is one
 * hash and one prepared INSERT per row.
 */
import { closeSync, fchmodSync, fstatSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AgentIdError } from '../errors.js';
import { canonicalJson } from './canonical-json.js';
import {
  EVENT_COLUMNS,
  type EventColumns,
  type EventValues,
  fromColumns,
  GENESIS_HASH,
  type HashedColumns,
  sha256Hex,
  toColumns,
  valuesOf,
} from './row.js';
import { chainHash } from './row-json.js';
import { migrate } from './schema.js';
import type { Anchor, AuditDeps, AuditEventInput, AuditRow, PruneResult } from './types.js';

// Positional, in EVENT_COLUMNS order: the values the chain hash covers, then the hash (binding
// by name costs better-sqlite3 a lookup per column on every row).
const INSERT_SQL = `INSERT INTO events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')})`;

const FINGERPRINT = /^[0-9a-f]{64}$/;

/**
 * SQLite copies the WAL into the database (a WAL checkpoint, with its fsyncs) inside the commit
 * that takes the WAL past this many pages, and the request whose row that is waits for it. The
 * daemon checkpoints when it is quiet instead (wal-checkpoint.ts), so this is the backstop for
 * sustained load: 8,192 pages (32 MiB at SQLite's default page size), about 1,600 rows at five
 * pages a row. SQLite's default is 1,000.
 */
const WAL_AUTOCHECKPOINT_PAGES = 8192;
/** What a restarted WAL file is cut back to, so a burst does not leave a 32 MiB file behind. */
const WAL_KEPT_BYTES = 4 * 1024 * 1024;

/** Throws what `append` would throw for this event before writing anything. */
export function checkAuditEvent(input: AuditEventInput): void {
  const fingerprint = input.credentialFingerprint;
  if (fingerprint !== null && !FINGERPRINT.test(fingerprint)) {
    // A raw secret passed by mistake must never reach the file (SECURITY.md invariant 3).
    throw new AgentIdError('ERR_AUDIT_INVALID_EVENT', 'credentialFingerprint must be a sha256 hex digest');
  }
}

export class AuditWriter {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<EventValues>;
  readonly #insertAll: Database.Transaction<(inputs: readonly AuditEventInput[]) => AuditRow[]>;
  readonly #deps: AuditDeps;
  #lastSeq: number;
  #lastHash: string;

  private constructor(db: Database.Database, deps: AuditDeps, lastSeq: number, lastHash: string) {
    this.#db = db;
    this.#insert = db.prepare(INSERT_SQL);
    this.#insertAll = db.transaction((inputs: readonly AuditEventInput[]) =>
      inputs.map((input) => this.#insertOne(input)),
    );
    this.#deps = deps;
    this.#lastSeq = lastSeq;
    this.#lastHash = lastHash;
  }

  /** Opens (creating with mode 0600 if missing) the audit log at `path`; its directory must exist. */
  static open(path: string, deps: AuditDeps): AuditWriter {
    let db: Database.Database | undefined;
    try {
      createPrivateFile(path);
      db = new Database(path);
      // WAL lets the CLI and TUI read while the daemon writes.
      if (db.pragma('journal_mode = WAL', { simple: true }) !== 'wal') {
        throw new Error('the file system does not support WAL mode');
      }
      // In WAL mode NORMAL still makes each commit durable against a crash of the daemon (the WAL
      // write has reached the OS before append returns); only power loss can drop the newest
      // commits, and it drops them from the tail only, so the chain stays intact.
      db.pragma('synchronous = NORMAL');
      db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      db.pragma(`journal_size_limit = ${WAL_KEPT_BYTES}`);
      // Short, because a sync wait blocks the daemon's event loop; only a foreign writer (say, a
      // sqlite3 shell) can hold the lock, and failing that request closed is the right answer.
      db.pragma('busy_timeout = 1000');
      migrate(db);
      const last = db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1').get() as
        | { seq: number; hash: string }
        | undefined;
      return new AuditWriter(db, deps, last?.seq ?? 0, last?.hash ?? GENESIS_HASH);
    } catch (err) {
      db?.close();
      if (err instanceof AgentIdError) throw err;
      throw new AgentIdError('ERR_AUDIT_UNAVAILABLE', `cannot open audit log ${path}: ${messageOf(err)}`, {
        cause: err,
      });
    }
  }

  /** Appends one event and returns its row once committed; on any failure the chain is left as it was. */
  append(input: AuditEventInput): AuditRow {
    return this.appendBatch([input])[0] as AuditRow;
  }

  /**
   * Appends the events in order, in one transaction, and returns their rows once committed: all
   * of them or, on any failure, none, with the chain left as it was. An invalid event fails the
   * whole batch before anything is written; callers that batch other callers' events check each
   * with `checkAuditEvent` first.
   */
  appendBatch(inputs: readonly AuditEventInput[]): AuditRow[] {
    for (const input of inputs) checkAuditEvent(input);
    const head = { seq: this.#lastSeq, hash: this.#lastHash };
    try {
      // One row is one INSERT, which SQLite commits as its own transaction: no BEGIN and COMMIT
      // of ours around it. Several take one transaction, IMMEDIATE so that the write lock is
      // taken at BEGIN and a foreign writer fails the batch at once.
      const [only, ...more] = inputs;
      return only && more.length === 0 ? [this.#insertOne(only)] : this.#insertAll.immediate(inputs);
    } catch (err) {
      // The rolled-back rows moved the in-memory head; the next row chains to the last committed one.
      this.#lastSeq = head.seq;
      this.#lastHash = head.hash;
      if (err instanceof AgentIdError) throw err;
      throw new AgentIdError('ERR_AUDIT_WRITE', `audit append failed: ${describeWriteError(err)}`, {
        cause: err,
      });
    }
  }

  /** One row inside the open transaction; moves the in-memory chain head past it. */
  #insertOne(input: AuditEventInput): AuditRow {
    const attestationJson = input.attestation === null ? null : canonicalJson(input.attestation);
    // Field by field, not a spread: extra properties on `input` must neither be stored nor hashed.
    const unhashed: Omit<AuditRow, 'hash'> = {
      seq: this.#lastSeq + 1,
      id: this.#deps.randomUUID(),
      time: this.#deps.now().toISOString(),
      action: input.action,
      decision: input.decision,
      agent: input.agent,
      human: input.human,
      resource: input.resource,
      peer: { pid: input.peer.pid, uid: input.peer.uid, gid: input.peer.gid, exe: input.peer.exe },
      attestation: input.attestation,
      attestationDigest: attestationJson === null ? null : sha256Hex(attestationJson),
      policyIds: [...input.policyIds],
      reason: input.reason,
      credentialFingerprint: input.credentialFingerprint,
      expiresAt: input.expiresAt,
      errorCode: input.errorCode,
      latencyMs: input.latencyMs,
      prevHash: this.#lastHash,
    };
    const columns = asStored(toColumns(unhashed, attestationJson));
    const values = valuesOf(columns);
    const stored: EventColumns = Object.assign(columns, { hash: chainHash(values) });
    this.#insert.run(...values, stored.hash);
    // Decoded from what was stored, so the row returned here is exactly the row a reader will see.
    const row = fromColumns(stored);
    this.#lastSeq = row.seq;
    this.#lastHash = row.hash;
    return row;
  }

  /**
   * Deletes the rows older than `before` and records where the chain now starts, in one
   * transaction. Rows go in seq order up to the first row at or after `before` (a row written
   * while the clock was behind is kept with everything after it), so what survives is one
   * contiguous chain. With nothing newer, everything goes and the anchor names the next seq,
   * whose prev_hash the writer already holds.
   */
  prune(before: Date): PruneResult {
    if (Number.isNaN(before.getTime())) throw new AgentIdError('ERR_USAGE', 'audit prune: invalid date');
    try {
      return this.#db
        .transaction((): PruneResult => {
          const cutoff = before.toISOString();
          const first = this.#db
            .prepare(
              `SELECT seq, prev_hash FROM events
               WHERE seq = (SELECT min(seq) FROM events INDEXED BY events_time WHERE time >= ?)`,
            )
            .get(cutoff) as { seq: number; prev_hash: string } | undefined;
          const anchor: Anchor = {
            seq: first?.seq ?? this.#lastSeq + 1,
            prevHash: first?.prev_hash ?? this.#lastHash,
            time: this.#deps.now().toISOString(),
            prunedRows: 0,
          };
          anchor.prunedRows = this.#db
            .prepare('SELECT count(*) FROM events WHERE seq < ?')
            .pluck()
            .get(anchor.seq) as number;
          if (anchor.prunedRows === 0) return { pruned: 0, anchor: null };
          // The anchor goes first: the delete trigger admits only rows below the newest anchor.
          this.#db
            .prepare('INSERT INTO anchors (seq, prev_hash, time, pruned_rows) VALUES (?, ?, ?, ?)')
            .run(anchor.seq, anchor.prevHash, anchor.time, anchor.prunedRows);
          this.#db.prepare('DELETE FROM events WHERE seq < ?').run(anchor.seq);
          return { pruned: anchor.prunedRows, anchor };
        })
        .immediate();
    } catch (err) {
      if (err instanceof AgentIdError) throw err;
      throw new AgentIdError('ERR_AUDIT_WRITE', `audit prune failed: ${messageOf(err)}`, { cause: err });
    }
  }

  /**
   * Copies the WAL's committed pages into the database file now, without waiting for readers
   * (PASSIVE), so that the WAL can start over. Nothing is lost either way: a row in the WAL is
   * committed.
   */
  checkpointWal(): void {
    try {
      this.#db.pragma('wal_checkpoint(PASSIVE)');
    } catch (err) {
      throw new AgentIdError('ERR_AUDIT_WRITE', `audit WAL checkpoint failed: ${messageOf(err)}`, {
        cause: err,
      });
    }
  }

  close(): void {
    this.#db.close();
  }
}

/**
 * Makes the columns what SQLite will give back, before they are hashed: a lone UTF-16 surrogate
 * (which UTF-8, and so SQLite, cannot hold) reads back as U+FFFD and -0 as 0, so stored as given
 * the row would hash one way and read back another, and verify would report tampering. (The JSON
 * columns hold no lone surrogates: canonical JSON writes them as `\\uXXXX` escapes.)
 */
function asStored(columns: HashedColumns): HashedColumns {
  // In place: an empty object given every column one by one would turn into a slow dictionary.
  const out = columns as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(columns)) {
    if (typeof value === 'string') out[name] = value.isWellFormed() ? value : value.toWellFormed();
    else if (value === 0) out[name] = 0;
  }
  return columns;
}

function createPrivateFile(path: string): void {
  // SQLite would create the file with the umask's mode; it gives the -wal and -shm files the
  // mode of the database file, so setting it here covers all three.
  const fd = openSync(path, 'a', 0o600);
  try {
    if ((fstatSync(fd).mode & 0o077) !== 0) fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
}

function describeWriteError(err: unknown): string {
  if (err instanceof Database.SqliteError && err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return 'the next seq already exists: another process is writing this audit log';
  }
  return messageOf(err);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
