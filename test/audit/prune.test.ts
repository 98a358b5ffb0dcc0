/**
 * Retention: a prune deletes the old rows and records an anchor in the same transaction, the
 * chain then verifies from the anchor, the triggers still refuse any other delete, and tampering
 * with what survives (or with the anchor) is still caught.
 */
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AuditReader, AuditWriter } from '../../src/audit/index.js';
import { event, steppingDeps, tempDbPath } from './helpers.js';

/** 10 rows at 12:00:00 … 12:00:09; the prune itself reads the clock once more (12:00:10). */
function log(): { path: string; writer: AuditWriter } {
  const path = tempDbPath();
  const writer = AuditWriter.open(path, steppingDeps('2025-06-01T12:00:00.000Z'));
  for (let i = 0; i < 10; i++) writer.append(event({ latencyMs: i }));
  return { path, writer };
}

function verify(path: string) {
  const reader = AuditReader.open(path);
  try {
    return reader.verify();
  } finally {
    reader.close();
  }
}

const cutoff = new Date('2025-06-01T12:00:04.000Z');

describe('AuditWriter.prune', () => {
  it('deletes the rows before the cutoff and verifies from the anchor', () => {
    const { path, writer } = log();
    const result = writer.prune(cutoff);
    expect(result.pruned).toBe(4);
    expect(result.anchor).toMatchObject({ seq: 5, prunedRows: 4, time: '2025-06-01T12:00:10.000Z' });
    writer.append(event());
    writer.close();
    const reader = AuditReader.open(path);
    expect(reader.query({}).map((r) => r.seq)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(reader.query({ afterSeq: 4, limit: 1 })[0]?.prevHash).toBe(result.anchor?.prevHash);
    reader.close();
    expect(verify(path)).toEqual({ ok: true, rows: 7, lastSeq: 11, anchor: result.anchor });
  });

  it('prunes nothing when nothing is old enough, and prunes again from a later anchor', () => {
    const { path, writer } = log();
    expect(writer.prune(new Date('2025-06-01T11:00:00.000Z'))).toEqual({ pruned: 0, anchor: null });
    expect(writer.prune(cutoff).pruned).toBe(4);
    expect(writer.prune(cutoff)).toEqual({ pruned: 0, anchor: null });
    expect(writer.prune(new Date('2025-06-01T12:00:07.000Z')).anchor?.seq).toBe(8);
    writer.close();
    const result = verify(path);
    expect(result).toMatchObject({ ok: true, rows: 3, lastSeq: 10, anchor: { seq: 8 } });
  });

  it('can prune everything; the next row continues the chain from the anchor', () => {
    const { path, writer } = log();
    const { anchor } = writer.prune(new Date('2030-01-01T00:00:00.000Z'));
    expect(anchor?.seq).toBe(11);
    expect(verify(path)).toMatchObject({ ok: true, rows: 0, lastSeq: 0 });
    expect(writer.append(event()).seq).toBe(11);
    writer.close();
    expect(verify(path)).toMatchObject({ ok: true, rows: 1, lastSeq: 11, anchor: { seq: 11 } });
  });

  it('keeps refusing deletes and updates that are not a prune', () => {
    const { path, writer } = log();
    writer.prune(cutoff);
    writer.close();
    const db = new Database(path);
    expect(() => db.prepare('DELETE FROM events WHERE seq = 7').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM anchors').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE anchors SET prev_hash = 'x'").run()).toThrow(/append-only/);
    db.close();
    expect(verify(path).ok).toBe(true);
  });
});

/** Tampers with the real sqlite3 shell, triggers dropped first, as an attacker with the file would. */
function tamper(path: string, sql: string): void {
  execFileSync('sqlite3', [
    path,
    `DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; DROP TRIGGER anchors_no_update; ${sql}`,
  ]);
}

describe('tampering after a prune', () => {
  it('names an edited surviving row', () => {
    const { path, writer } = log();
    writer.prune(cutoff);
    writer.close();
    tamper(path, "UPDATE events SET human = 'mallory' WHERE seq = 7;");
    expect(verify(path)).toMatchObject({ ok: false, rows: 2, brokenSeq: 7, reason: 'hash mismatch' });
  });

  it('names the first surviving row when the anchor was edited', () => {
    const { path, writer } = log();
    writer.prune(cutoff);
    writer.close();
    tamper(path, `UPDATE anchors SET prev_hash = '${'0'.repeat(64)}';`);
    expect(verify(path)).toMatchObject({
      ok: false,
      rows: 0,
      brokenSeq: 5,
      reason: 'prev_hash does not link',
    });
  });

  it('names the gap when surviving rows are deleted behind the anchor', () => {
    const { path, writer } = log();
    writer.prune(cutoff);
    writer.close();
    tamper(path, 'DELETE FROM events WHERE seq IN (5, 6);');
    expect(verify(path)).toMatchObject({ ok: false, rows: 0, brokenSeq: 7, reason: 'missing seq 5' });
  });

  it('names the gap when a later row is deleted', () => {
    const { path, writer } = log();
    writer.prune(cutoff);
    writer.close();
    tamper(path, 'DELETE FROM events WHERE seq = 8;');
    expect(verify(path)).toMatchObject({ ok: false, rows: 3, brokenSeq: 9, reason: 'missing seq 8' });
  });
});
