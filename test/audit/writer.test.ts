import { createHash } from 'node:crypto';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { type AuditEventInput, AuditReader, AuditWriter, canonicalJson } from '../../src/audit/index.js';
import { errorCode, event, steppingDeps, tempDbPath } from './helpers.js';

const GENESIS = '0'.repeat(64);

describe('AuditWriter', () => {
  it('appends a chain that verifies', () => {
    const path = tempDbPath();
    const writer = AuditWriter.open(path, steppingDeps());
    const rows = Array.from({ length: 50 }, (_, i) => writer.append(event({ latencyMs: i })));
    writer.close();

    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(rows[0]?.prevHash).toBe(GENESIS);
    for (let i = 1; i < rows.length; i++) expect(rows[i]?.prevHash).toBe(rows[i - 1]?.hash);

    const reader = AuditReader.open(path);
    expect(reader.verify()).toEqual({ ok: true, rows: 50, lastSeq: 50 });
    reader.close();
  });

  it('hashes prev_hash, a newline and the canonical JSON of the row without its hash', () => {
    const path = tempDbPath();
    const writer = AuditWriter.open(path, steppingDeps());
    const row = writer.append(event());
    writer.close();

    const { hash, ...unhashed } = row;
    const expected = createHash('sha256')
      .update(`${GENESIS}\n${canonicalJson(unhashed)}`)
      .digest('hex');
    expect(hash).toBe(expected);
    expect(Object.keys(unhashed).sort()).toEqual(
      [
        'action',
        'agent',
        'attestation',
        'attestationDigest',
        'credentialFingerprint',
        'decision',
        'errorCode',
        'expiresAt',
        'human',
        'id',
        'latencyMs',
        'peer',
        'policyIds',
        'prevHash',
        'reason',
        'resource',
        'seq',
        'time',
      ].sort(),
    );
  });

  it('returns the committed row, exactly as a reader sees it', () => {
    const path = tempDbPath();
    const deps = steppingDeps('2025-06-01T12:00:00.000Z');
    const writer = AuditWriter.open(path, deps);
    const attestation = { sha256: 'ef'.repeat(32), exe: '/usr/bin/node', optional: undefined };
    const row = writer.append(event({ attestation }));

    expect(row.time).toBe('2025-06-01T12:00:00.000Z');
    expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(row.attestation).toEqual({ exe: '/usr/bin/node', sha256: 'ef'.repeat(32) });
    expect(row.attestationDigest).toBe(createHash('sha256').update(canonicalJson(attestation)).digest('hex'));
    // Committed before append returned: a separate read-only connection sees it while the writer is open.
    const reader = AuditReader.open(path);
    expect(reader.query({})).toEqual([row]);
    // The same bytes too: the attestation in the reader's key order.
    expect(JSON.stringify(row)).toBe(JSON.stringify(reader.query({})[0]));
    reader.close();
    writer.close();
  });

  it('stores strings as given and nothing the caller did not pass', () => {
    const path = tempDbPath();
    const writer = AuditWriter.open(path, steppingDeps());
    const input = event({ human: '  Alice <x>\u0000é ', reason: 'it\'s "quoted"', attestation: null });
    const withExtra = Object.assign(input, { password: 'hunter2' });
    const row = writer.append(withExtra);
    writer.close();

    expect(row).not.toHaveProperty('password');
    expect(row.human).toBe('  Alice <x>\u0000é ');
    const db = new Database(path, { readonly: true });
    const dump = JSON.stringify(db.prepare('SELECT * FROM events').all());
    db.close();
    expect(dump).not.toContain('hunter2');
    const reader = AuditReader.open(path);
    expect(reader.query({})[0]?.reason).toBe('it\'s "quoted"');
    expect(reader.verify().ok).toBe(true);
    reader.close();
  });

  it('hashes what SQLite gives back: a lone surrogate as U+FFFD, -0 as 0, so the chain verifies', () => {
    const path = tempDbPath();
    const writer = AuditWriter.open(path, steppingDeps());
    // An agent controls strings such as the resource it asks for; UTF-8 cannot hold a lone half.
    const row = writer.append(event({ resource: 'a\ud800b', reason: '\udc00', latencyMs: -0 }));
    writer.close();

    expect([row.resource, row.reason, Object.is(row.latencyMs, -0)]).toEqual(['a\ufffdb', '\ufffd', false]);
    const reader = AuditReader.open(path);
    expect(reader.query({})).toEqual([row]);
    expect(reader.verify().ok).toBe(true);
    reader.close();
  });

  it('continues the chain after reopening', () => {
    const path = tempDbPath();
    const deps = steppingDeps();
    const first = AuditWriter.open(path, deps);
    first.append(event());
    const last = first.append(event());
    first.close();

    const second = AuditWriter.open(path, deps);
    const next = second.append(event({ decision: 'deny' }));
    second.close();

    expect(next.seq).toBe(3);
    expect(next.prevHash).toBe(last.hash);
    const reader = AuditReader.open(path);
    expect(reader.verify()).toEqual({ ok: true, rows: 3, lastSeq: 3 });
    reader.close();
  });

  it('creates the database, its WAL and its shared-memory file with mode 0600', () => {
    const path = tempDbPath();
    const writer = AuditWriter.open(path, steppingDeps());
    writer.append(event());
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      expect(existsSync(file)).toBe(true);
      expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    }
    writer.close();
  });

  it('tightens an existing file that others could read', () => {
    const path = tempDbPath();
    writeFileSync(path, '', { mode: 0o644 });
    AuditWriter.open(path, steppingDeps()).close();
    expect((statSync(path).mode & 0o777).toString(8)).toBe('600');
  });

  it('uses WAL mode', () => {
    const path = tempDbPath();
    const writer = AuditWriter.open(path, steppingDeps());
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    writer.close();
  });

  it('writes one page fewer for an allowed row than for a denied one (no decision index entry)', () => {
    const path = tempDbPath();
    const writer = AuditWriter.open(path, steppingDeps());
    writer.append(event());
    writer.append(event({ decision: 'deny' }));
    // Each committed page is one WAL frame: a 24-byte header and the page.
    const pageSize = new Database(path, { readonly: true }).pragma('page_size', { simple: true }) as number;
    const framesOf = (row: AuditEventInput): number => {
      const before = statSync(`${path}-wal`).size;
      writer.append(row);
      return (statSync(`${path}-wal`).size - before) / (24 + pageSize);
    };
    const allowed = framesOf(event());
    const denied = framesOf(event({ decision: 'deny' }));
    const errored = framesOf(event({ decision: 'error', errorCode: 'ERR_INTERNAL' }));
    writer.close();
    // The table's page and one page of each index: time, agent, action, human; decision too unless allowed.
    expect(allowed).toBe(5);
    expect(denied).toBe(6);
    expect(errored).toBe(6);
  });

  it('brings a log of schema 2 (full decision index) up to date, keeping rows, counts and chain', () => {
    const path = tempDbPath();
    const writer = AuditWriter.open(path, steppingDeps());
    for (const decision of ['allow', 'deny', 'allow', 'error', 'deny'] as const)
      writer.append(event({ decision }));
    writer.close();
    // Put the database back to how schema 2 left it.
    const db = new Database(path);
    db.exec('DROP INDEX events_decision; CREATE INDEX events_decision ON events (decision);');
    db.pragma('user_version = 2');
    db.close();

    AuditWriter.open(path, steppingDeps('2025-06-02T00:00:00.000Z')).close();
    const upgraded = new Database(path, { readonly: true });
    expect(upgraded.pragma('user_version', { simple: true })).toBe(3);
    expect(
      upgraded.prepare("SELECT sql FROM sqlite_master WHERE name = 'events_decision'").pluck().get(),
    ).toMatch(/WHERE decision <> 'allow'$/);
    upgraded.close();
    const reader = AuditReader.open(path);
    expect(reader.stats()).toMatchObject({ rows: 5, deny: 2, error: 1 });
    expect(reader.query({ decision: 'allow' }).map((r) => r.seq)).toEqual([1, 3]);
    expect(reader.query({ decision: 'deny' }).map((r) => r.seq)).toEqual([2, 5]);
    expect(reader.verify().ok).toBe(true);
    reader.close();
  });

  it('has triggers that refuse UPDATE and DELETE', () => {
    const path = tempDbPath();
    const writer = AuditWriter.open(path, steppingDeps());
    writer.append(event());
    writer.close();

    const db = new Database(path);
    expect(() => db.prepare("UPDATE events SET human = 'mallory' WHERE seq = 1").run()).toThrow(
      'audit events are append-only',
    );
    expect(() => db.prepare('DELETE FROM events WHERE seq = 1').run()).toThrow(
      'audit events are append-only',
    );
    expect(db.prepare('SELECT human FROM events').pluck().get()).toBe('local:alice@host');
    db.close();
  });

  it('refuses a credential fingerprint that is not a sha256 hex digest, storing nothing', () => {
    const path = tempDbPath();
    const writer = AuditWriter.open(path, steppingDeps());
    expect(errorCode(() => writer.append(event({ credentialFingerprint: 'ghp_secretvalue' })))).toBe(
      'ERR_AUDIT_INVALID_EVENT',
    );
    expect(errorCode(() => writer.append(event({ attestation: { at: new Date() } })))).toBe(
      'ERR_AUDIT_INVALID_EVENT',
    );
    expect(writer.append(event()).seq).toBe(1);
    writer.close();
  });

  it('leaves the chain unchanged when SQLite refuses a row', () => {
    const path = tempDbPath();
    const writer = AuditWriter.open(path, steppingDeps());
    writer.append(event());
    // Only reachable from untyped callers; the table's CHECK and STRICT types are the backstop.
    expect(errorCode(() => writer.append(event({ decision: 'maybe' as 'allow' })))).toBe('ERR_AUDIT_WRITE');
    expect(errorCode(() => writer.append(event({ peer: { pid: 1.5, uid: 0, gid: 0, exe: null } })))).toBe(
      'ERR_AUDIT_WRITE',
    );
    expect(writer.append(event()).seq).toBe(2);
    writer.close();

    const reader = AuditReader.open(path);
    expect(reader.verify()).toEqual({ ok: true, rows: 2, lastSeq: 2 });
    reader.close();
  });

  it('fails loudly instead of forking the chain when a second writer appends', () => {
    const path = tempDbPath();
    const deps = steppingDeps();
    const a = AuditWriter.open(path, deps);
    const b = AuditWriter.open(path, deps);
    a.append(event());
    expect(() => b.append(event())).toThrow(/another process is writing this audit log/);
    a.close();
    b.close();
  });

  it('fails with ERR_AUDIT_WRITE after close and ERR_AUDIT_UNAVAILABLE without a directory', () => {
    const path = tempDbPath();
    const writer = AuditWriter.open(path, steppingDeps());
    writer.close();
    expect(errorCode(() => writer.append(event()))).toBe('ERR_AUDIT_WRITE');
    expect(errorCode(() => AuditWriter.open(`${path}.d/missing/audit.db`, steppingDeps()))).toBe(
      'ERR_AUDIT_UNAVAILABLE',
    );
  });

  it('refuses a database from a newer agentid', () => {
    const path = tempDbPath();
    AuditWriter.open(path, steppingDeps()).close();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => AuditWriter.open(path, steppingDeps())).toThrow(/newer than this agentid/);
    expect(() => AuditReader.open(path)).toThrow(/newer than this agentid/);
  });
});
