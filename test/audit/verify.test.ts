import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuditReader, AuditWriter, canonicalJson } from '../../src/audit/index.js';
import { event, steppingDeps, tempDbPath } from './helpers.js';

/** A closed audit log of `n` rows. */
function auditLog(n: number): string {
  const path = tempDbPath();
  const writer = AuditWriter.open(path, steppingDeps());
  for (let i = 0; i < n; i++) writer.append(event({ latencyMs: i }));
  writer.close();
  return path;
}

/** Tampers the way an attacker with the file would: the real sqlite3 shell, triggers dropped first. */
function tamper(path: string, sql: string): void {
  execFileSync('sqlite3', [path, `DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; ${sql}`]);
}

function verify(path: string) {
  const reader = AuditReader.open(path);
  try {
    return reader.verify();
  } finally {
    reader.close();
  }
}

describe('AuditReader.verify', () => {
  it('accepts an empty log', () => {
    expect(verify(auditLog(0))).toEqual({ ok: true, rows: 0, lastSeq: 0 });
  });

  it('names the row whose field was edited', () => {
    const path = auditLog(5);
    tamper(path, "UPDATE events SET human = 'mallory' WHERE seq = 3;");
    expect(verify(path)).toEqual({ ok: false, rows: 2, brokenSeq: 3, reason: 'hash mismatch' });
  });

  it('names the row after a deleted one', () => {
    const path = auditLog(5);
    tamper(path, 'DELETE FROM events WHERE seq = 3;');
    expect(verify(path)).toEqual({ ok: false, rows: 2, brokenSeq: 4, reason: 'missing seq 3' });
  });

  it('notices a deleted first row', () => {
    const path = auditLog(3);
    tamper(path, 'DELETE FROM events WHERE seq = 1;');
    expect(verify(path)).toEqual({ ok: false, rows: 0, brokenSeq: 2, reason: 'missing seq 1' });
  });

  it('names the next row when an edit comes with a recomputed hash', () => {
    const path = auditLog(5);
    const reader = AuditReader.open(path);
    const third = reader.query({}).find((r) => r.seq === 3);
    reader.close();
    if (third === undefined) throw new Error('no row 3');
    const { hash: _, ...forged } = { ...third, human: 'mallory' };
    const forgedHash = createHash('sha256')
      .update(`${forged.prevHash}\n${canonicalJson(forged)}`)
      .digest('hex');
    tamper(path, `UPDATE events SET human = 'mallory', hash = '${forgedHash}' WHERE seq = 3;`);
    expect(verify(path)).toEqual({ ok: false, rows: 3, brokenSeq: 4, reason: 'prev_hash does not link' });
  });

  it('names a row whose prev_hash was rewritten', () => {
    const path = auditLog(5);
    tamper(path, 'UPDATE events SET prev_hash = hash WHERE seq = 4;');
    expect(verify(path)).toEqual({ ok: false, rows: 3, brokenSeq: 4, reason: 'prev_hash does not link' });
  });

  it('names a row whose JSON columns are no longer JSON', () => {
    const path = auditLog(3);
    tamper(path, "UPDATE events SET attestation = '{not json' WHERE seq = 2;");
    expect(verify(path)).toEqual({
      ok: false,
      rows: 1,
      brokenSeq: 2,
      reason: 'audit row seq 2 is unreadable: attestation is not JSON',
    });
  });

  it('names an inserted row that does not belong to the chain', () => {
    const path = auditLog(3);
    tamper(
      path,
      "CREATE TEMP TABLE t AS SELECT * FROM events WHERE seq = 1; UPDATE t SET seq = 0, id = 'x'; " +
        'INSERT INTO events SELECT * FROM t;',
    );
    expect(verify(path)).toEqual({ ok: false, rows: 0, brokenSeq: 0, reason: 'unexpected seq 0' });
  });
});
