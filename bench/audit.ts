/**
 * Proof that the throughput figures include the audit commit: the bench counts the daemon's audit
 * rows before and after the load, read-only, as the CLI would (WAL lets it read while the daemon
 * writes).
 */
import Database from 'better-sqlite3';

export function countAuditRows(auditDb: string): number {
  const db = new Database(auditDb, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT count(*) AS n FROM events').get() as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}
