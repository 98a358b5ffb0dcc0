/**
 * Signed checkpoints end to end, against the built CLI and a real daemon: `agentid audit
 * checkpoint` then `agentid audit verify --checkpoint` passes as the log grows and across a key
 * rotation; a tail deleted, or rewritten and re-chained with the library's own chain function, both
 * with the real sqlite3 shell after dropping the triggers, still passes a plain verify but fails
 * against the checkpoint with a code naming what happened; and forged checkpoint files fail.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CompactSign, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import type { CheckpointDocument } from '../../src/audit/index.js';
import { type EventColumns, valuesOf } from '../../src/audit/row.js';
import { chainHash } from '../../src/audit/row-json.js';
import { api, runCli, useDaemon } from './harness.js';

const hasSqlite3 = spawnSync('sqlite3', ['-version']).status === 0;
if (!hasSqlite3) console.warn('skipping audit checkpoint e2e: the sqlite3 CLI is not installed');

describe.skipIf(!hasSqlite3)('agentid audit checkpoint and verify --checkpoint', () => {
  const t = useDaemon(undefined, undefined, { perTest: true });

  /** `n` audited requests. */
  async function rows(n: number): Promise<void> {
    for (let i = 0; i < n; i++) expect((await api(t.home.socket, 'GET', '/v1/whoami')).status).toBe(200);
  }

  async function checkpoint(name: string): Promise<{ file: string; doc: CheckpointDocument }> {
    const file = join(t.home.dir, name);
    const result = await runCli(t.home, ['audit', 'checkpoint', '--out', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`written to ${file}`);
    return { file, doc: JSON.parse(readFileSync(file, 'utf8')) as CheckpointDocument };
  }

  const verify = (...args: string[]) => runCli(t.home, ['audit', 'verify', ...args]);

  /** Tampers as an attacker with the file would: the real sqlite3 shell, triggers dropped first. */
  function tamper(sql: string): void {
    execFileSync('sqlite3', [
      t.home.auditDb,
      `DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete; ${sql}`,
    ]);
  }

  it('passes as the log grows and across a key rotation; the checkpoint signs its own audit row', async () => {
    await rows(2);
    const first = await checkpoint('first.json');
    // Row 1 is the policy load at start; 2 and 3 are the requests.
    expect(first.doc).toMatchObject({ seq: 4, iss: 'https://agentid.local' });
    expect(first.doc.hash).toMatch(/^[0-9a-f]{64}$/);

    const listed = await runCli(t.home, ['audit', '--json']);
    const own = listed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; action: string; hash: string })
      .find((row) => row.seq === first.doc.seq);
    expect(own).toMatchObject({ action: 'audit.checkpoint', hash: first.doc.hash });

    let result = await verify('--checkpoint', first.file);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('extends the checkpoint of seq 4');

    await rows(3);
    expect((await verify('--checkpoint', first.file)).code).toBe(0);

    expect((await runCli(t.home, ['key', 'rotate'])).code).toBe(0);
    const second = await checkpoint('second.json');
    expect(second.doc.kid).not.toBe(first.doc.kid);
    await rows(1);
    // Without --out the document itself is the output, ready to redirect.
    const printed = await runCli(t.home, ['audit', 'checkpoint']);
    expect(printed.code).toBe(0);
    const third = join(t.home.dir, 'third.json');
    writeFileSync(third, printed.stdout);
    expect(JSON.parse(printed.stdout)).toMatchObject({ seq: second.doc.seq + 2, kid: second.doc.kid });
    for (const file of [first.file, second.file, third]) {
      result = await verify('--checkpoint', file, '--json');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, checkpoint: { seq: expect.any(Number) } });
    }
  });

  it('a deleted tail passes a plain verify but fails against the checkpoint, named as a truncation', async () => {
    await rows(3);
    const { file, doc } = await checkpoint('cp.json');
    await rows(2);
    tamper(`DELETE FROM events WHERE seq >= ${doc.seq - 1};`);

    const plain = await verify();
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain(`chain intact through seq ${doc.seq - 2}`);

    const checked = await verify('--checkpoint', file);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain('ERR_AUDIT_CHECKPOINT_TRUNCATED');
    expect(checked.stderr).toContain(`truncated: it ends at seq ${doc.seq - 2}`);
  });

  it('a tail rewritten and re-chained passes a plain verify but fails against the checkpoint', async () => {
    await rows(3);
    const { file, doc } = await checkpoint('cp.json');
    await rows(2);
    // Rewrites row seq-1 and recomputes every hash after it with the library's own chain function.
    const db = new Database(t.home.auditDb, { readonly: true });
    const tail = db
      .prepare('SELECT * FROM events WHERE seq >= ? ORDER BY seq')
      .all(doc.seq - 1) as EventColumns[];
    db.close();
    let prevHash = tail[0]?.prev_hash ?? '';
    const updates = tail.map((row, i) => {
      const forged = { ...row, human: i === 0 ? 'local:mallory@host' : row.human, prev_hash: prevHash };
      prevHash = chainHash(valuesOf(forged));
      return `UPDATE events SET human = '${forged.human}', prev_hash = '${forged.prev_hash}', hash = '${prevHash}' WHERE seq = ${row.seq};`;
    });
    tamper(updates.join(' '));

    const plain = await verify();
    expect(plain.stderr).toBe('');
    expect(plain.code).toBe(0);

    const checked = await verify('--checkpoint', file);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain('ERR_AUDIT_CHECKPOINT_REWRITTEN');
    expect(checked.stderr).toContain(`rewritten: row ${doc.seq} has hash`);
  });

  it('a forged checkpoint fails: an attacker key under the daemon kid, or altered signature bytes', async () => {
    await rows(2);
    const { doc } = await checkpoint('cp.json');

    // The attacker signs the log's real head with their own key, claiming the daemon's kid.
    const attacker = await generateKeyPair('ES256');
    const claims = { seq: doc.seq, hash: doc.hash, time: doc.time, iss: doc.iss };
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({ alg: 'ES256', kid: doc.kid, typ: 'agentid-audit-checkpoint+jws' })
      .sign(attacker.privateKey);
    const forgedFile = join(t.home.dir, 'forged.json');
    writeFileSync(forgedFile, JSON.stringify({ ...claims, kid: doc.kid, jws }));
    let result = await verify('--checkpoint', forgedFile);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ERR_AUDIT_CHECKPOINT_SIGNATURE');

    const [header, payload, signature = ''] = doc.jws.split('.');
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    const alteredFile = join(t.home.dir, 'altered.json');
    writeFileSync(alteredFile, JSON.stringify({ ...doc, jws: `${header}.${payload}.${flipped}` }));
    result = await verify('--checkpoint', alteredFile);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ERR_AUDIT_CHECKPOINT_SIGNATURE');

    const notCheckpoint = join(t.home.dir, 'not.json');
    writeFileSync(notCheckpoint, 'hello');
    result = await verify('--checkpoint', notCheckpoint);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ERR_AUDIT_CHECKPOINT_INVALID');
  });
});
