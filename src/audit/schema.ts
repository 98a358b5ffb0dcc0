/**
 * The audit table and its migrations. `PRAGMA user_version` counts the applied steps; new steps
 * are only ever appended to MIGRATIONS, never edited, because old databases replay from where
 * they stopped. STRICT makes SQLite refuse a value of the wrong type instead of coercing it, so
 * what is read back for verification is exactly what was hashed.
 */
import type Database from 'better-sqlite3';
import { AgentIdError } from '../errors.js';

/**
 * The partial decision index's condition. SQLite proves a query may use a partial index only when
 * the query's WHERE has this very term, so a query for a decision other than allow adds it.
 */
export const NOT_ALLOWED = "decision <> 'allow'";

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    seq                    INTEGER PRIMARY KEY,
    id                     TEXT NOT NULL,
    time                   TEXT NOT NULL,
    action                 TEXT NOT NULL,
    decision               TEXT NOT NULL CHECK (decision IN ('allow', 'deny', 'error')),
    agent                  TEXT NOT NULL,
    human                  TEXT,
    resource               TEXT,
    peer_pid               INTEGER NOT NULL,
    peer_uid               INTEGER NOT NULL,
    peer_gid               INTEGER NOT NULL,
    peer_exe               TEXT,
    attestation            TEXT,
    attestation_digest     TEXT,
    policy_ids             TEXT NOT NULL,
    reason                 TEXT,
    credential_fingerprint TEXT,
    expires_at             TEXT,
    error_code             TEXT,
    latency_ms             REAL NOT NULL,
    prev_hash              TEXT NOT NULL,
    hash                   TEXT NOT NULL
  ) STRICT;
  CREATE INDEX events_time ON events (time);
  CREATE INDEX events_agent ON events (agent);
  CREATE INDEX events_decision ON events (decision);
  CREATE INDEX events_action ON events (action);
  -- Defence in depth only: anyone with the file can drop these, which is why the hash chain exists.
  CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
  CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
  `,
  // Retention. A prune first records an anchor (the first surviving seq and its prev_hash), then
  // deletes the rows before it, in one transaction; the delete trigger admits exactly those rows,
  // so the chain stays checkable from the anchor. events_human serves the TUI's --user filter.
  `
  CREATE INDEX events_human ON events (human);
  CREATE TABLE anchors (
    seq         INTEGER PRIMARY KEY,
    prev_hash   TEXT NOT NULL,
    time        TEXT NOT NULL,
    pruned_rows INTEGER NOT NULL
  ) STRICT;
  DROP TRIGGER events_no_delete;
  CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    WHEN OLD.seq >= coalesce((SELECT max(seq) FROM anchors), 1)
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only; only rows before an anchor can be pruned'); END;
  CREATE TRIGGER anchors_no_update BEFORE UPDATE ON anchors
    BEGIN SELECT RAISE(ABORT, 'audit anchors are append-only'); END;
  CREATE TRIGGER anchors_no_delete BEFORE DELETE ON anchors
    BEGIN SELECT RAISE(ABORT, 'audit anchors are append-only'); END;
  `,
  // Every index is one more page written by each row's commit (about 11 µs here). Nearly all rows
  // are allowed, so the decision index keeps only the others and an allowed row's commit no longer
  // writes to it; a filter on allow walks the table in seq order, where nearly every row matches.
  // A query uses this index only if it repeats the index's WHERE term: see NOT_ALLOWED.
  `
  DROP INDEX events_decision;
  CREATE INDEX events_decision ON events (decision) WHERE ${NOT_ALLOWED};
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings a writable database up to SCHEMA_VERSION, all pending steps in one transaction. */
export function migrate(db: Database.Database): void {
  // IMMEDIATE takes the write lock before reading user_version, so two openers cannot both apply.
  db.transaction(() => {
    const version = userVersion(db);
    if (version > SCHEMA_VERSION) throw newerSchema(version);
    for (const sql of MIGRATIONS.slice(version)) db.exec(sql);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** Refuses a database whose schema this build does not read exactly. */
export function assertSchema(db: Database.Database, path: string): void {
  const version = userVersion(db);
  if (version > SCHEMA_VERSION) throw newerSchema(version);
  if (version < SCHEMA_VERSION) {
    throw new AgentIdError(
      'ERR_AUDIT_UNAVAILABLE',
      `audit log ${path} has schema version ${version}, expected ${SCHEMA_VERSION}; ` +
        'start the daemon once to bring it up to date',
    );
  }
}

function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function newerSchema(version: number): AgentIdError {
  return new AgentIdError(
    'ERR_AUDIT_UNAVAILABLE',
    `audit log has schema version ${version}, newer than this agentid (${SCHEMA_VERSION}); upgrade agentid`,
  );
}
