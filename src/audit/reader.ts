/**
 * Read-only access to the audit log for the CLI and the TUI. It opens the file read-only, so a
 * reader can never extend or repair the chain, and relies on WAL to read while the daemon writes.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AgentIdError } from '../errors.js';
import { buildQuery } from './query.js';
import { type EventColumns, fromColumns } from './row.js';
import { assertSchema } from './schema.js';
import type { AuditQuery, AuditRow, VerifyResult } from './types.js';
import { verifyChain } from './verify.js';

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

  verify(): VerifyResult {
    const rows = this.#db.prepare('SELECT * FROM events ORDER BY seq').iterate() as Iterable<EventColumns>;
    return verifyChain(rows);
  }

  close(): void {
    this.#db.close();
  }
}
