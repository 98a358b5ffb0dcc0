/**
 * Signed checkpoints in process: real ES256 keys from SigningKeys (over the in-memory secret store,
 * our seam), real jose signatures, real audit logs. Forgeries are made the way an attacker would:
 * their own key under the daemon's kid, an edited document, an agent JWT from the same key passed
 * off as a checkpoint.
 */
import { randomUUID } from 'node:crypto';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  AuditReader,
  AuditWriter,
  type CheckpointDocument,
  proveExtends,
  signCheckpoint,
  type VerifyResult,
  verifyCheckpoint,
} from '../../src/audit/index.js';
import { AgentIdError } from '../../src/errors.js';
import { jwtProvider, SigningKeys } from '../../src/providers/index.js';
import { memorySecretStore } from '../../src/secrets/index.js';
import { event, steppingDeps, tempDbPath } from './helpers.js';

const ISSUER = 'https://agentid.local';

function signingKeys() {
  const store = memorySecretStore();
  let now = new Date('2025-06-01T12:00:00.000Z');
  const keys = new SigningKeys({
    secrets: async () => store,
    now: () => now,
    maxTokenTtlMs: 15 * 60_000,
    warn: () => {},
  });
  return { keys, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

/** A checkpoint of seq 7 with a made-up hash, signed by the current key. */
async function checkpointOf(keys: SigningKeys, seq = 7): Promise<CheckpointDocument> {
  return signCheckpoint(
    { seq, hash: 'ab'.repeat(32), time: '2025-06-01T12:00:00.000Z', iss: ISSUER },
    await keys.current(),
  );
}

async function rejection(promise: Promise<unknown>): Promise<AgentIdError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AgentIdError)) throw new Error(`expected an AgentIdError, got ${String(err)}`);
  return err;
}

function thrown(fn: () => void): AgentIdError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AgentIdError) return err;
    throw err;
  }
  throw new Error('expected an AgentIdError, nothing was thrown');
}

describe('verifyCheckpoint', () => {
  it('returns what was signed, for a document as the daemon wrote it', async () => {
    const { keys } = signingKeys();
    const checkpoint = await checkpointOf(keys);
    const verified = await verifyCheckpoint(JSON.stringify(checkpoint), await keys.verificationKeys());
    expect(verified).toEqual(checkpoint);
    expect(verified.kid).toBe((await keys.current()).kid);
  });

  it('keeps verifying after rotations, long after jwks() stopped publishing the old key', async () => {
    const t = signingKeys();
    const old = await checkpointOf(t.keys);
    await t.keys.rotate();
    await t.keys.rotate();
    t.advance(365 * 86_400_000);
    expect((await t.keys.jwks()).keys.map((k) => k.kid)).not.toContain(old.kid);
    const all = await t.keys.verificationKeys();
    expect(all.keys).toHaveLength(3);
    for (const key of all.keys) expect(key).not.toHaveProperty('d');
    await expect(verifyCheckpoint(JSON.stringify(old), all)).resolves.toEqual(old);
    const fresh = await checkpointOf(t.keys, 8);
    await expect(verifyCheckpoint(JSON.stringify(fresh), all)).resolves.toEqual(fresh);
  });

  it("refuses a checkpoint signed with an attacker's key under the daemon's kid", async () => {
    const { keys } = signingKeys();
    const genuine = await checkpointOf(keys);
    const attacker = await generateKeyPair('ES256');
    const payload = { seq: 3, hash: 'cd'.repeat(32), time: genuine.time, iss: ISSUER };
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'ES256', kid: genuine.kid, typ: 'agentid-audit-checkpoint+jws' })
      .sign(attacker.privateKey);
    const forged = { ...payload, kid: genuine.kid, jws };
    const err = await rejection(verifyCheckpoint(JSON.stringify(forged), await keys.verificationKeys()));
    expect(err.code).toBe('ERR_AUDIT_CHECKPOINT_SIGNATURE');
    expect(err.message).toMatch(/does not verify/);
  });

  it('refuses a checkpoint signed by a key the daemon never had', async () => {
    const { keys } = signingKeys();
    const other = signingKeys();
    const foreign = await checkpointOf(other.keys);
    const err = await rejection(verifyCheckpoint(JSON.stringify(foreign), await keys.verificationKeys()));
    expect(err.code).toBe('ERR_AUDIT_CHECKPOINT_SIGNATURE');
    expect(err.message).toContain(foreign.kid);
  });

  it('refuses a document whose fields in the clear were edited', async () => {
    const { keys } = signingKeys();
    const checkpoint = await checkpointOf(keys);
    const edited = { ...checkpoint, seq: 3 };
    const err = await rejection(verifyCheckpoint(JSON.stringify(edited), await keys.verificationKeys()));
    expect(err.code).toBe('ERR_AUDIT_CHECKPOINT_SIGNATURE');
    expect(err.message).toMatch(/edited: its seq differ/);
  });

  it('refuses an agent JWT signed by the same key as a checkpoint', async () => {
    const { keys } = signingKeys();
    const token = await jwtProvider({
      keys,
      issuer: ISSUER,
      ttlSeconds: 300,
      now: () => new Date(),
      randomUUID,
    }).issue({ credential: 'identity', agent: 'claude', human: 'local:alice@host', scope: 'x' });
    const disguised = { seq: 1, hash: 'ab'.repeat(32), time: '', iss: ISSUER, kid: '', jws: token.value };
    const err = await rejection(verifyCheckpoint(JSON.stringify(disguised), await keys.verificationKeys()));
    expect(err.code).toBe('ERR_AUDIT_CHECKPOINT_SIGNATURE');
    expect(err.message).toMatch(/not over an audit checkpoint \(typ JWT\)/);
  });

  it.each([
    ['not JSON', 'seq 7'],
    ['no jws', '{"seq": 7}'],
    ['a jws that is not compact', '{"jws": "abc"}'],
  ])('refuses a file that is not a checkpoint (%s) as a usage error', async (_, text) => {
    const { keys } = signingKeys();
    const err = await rejection(verifyCheckpoint(text, await keys.verificationKeys()));
    expect(err.code).toBe('ERR_AUDIT_CHECKPOINT_INVALID');
    expect(err.exitCode).toBe(2);
  });

  it('refuses a signed payload that is not {seq, hash, time, iss}', async () => {
    const { keys } = signingKeys();
    const key = await keys.current();
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify({ seq: 0, hash: 'x' })))
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'agentid-audit-checkpoint+jws' })
      .sign(key.privateKey);
    const err = await rejection(verifyCheckpoint(JSON.stringify({ jws }), await keys.verificationKeys()));
    expect(err.code).toBe('ERR_AUDIT_CHECKPOINT_INVALID');
  });

  it('refuses a key set that holds only the public half of an unrelated key with the same kid', async () => {
    const { keys } = signingKeys();
    const checkpoint = await checkpointOf(keys);
    const impostor = {
      ...(await exportJWK((await generateKeyPair('ES256')).publicKey)),
      kid: checkpoint.kid,
    };
    const err = await rejection(verifyCheckpoint(JSON.stringify(checkpoint), { keys: [impostor] }));
    expect(err.code).toBe('ERR_AUDIT_CHECKPOINT_SIGNATURE');
  });
});

describe('proveExtends', () => {
  /** A real log of `n` rows: its chain check and its hashes by seq. */
  function log(n: number) {
    const path = tempDbPath();
    const writer = AuditWriter.open(path, steppingDeps());
    const rows = Array.from({ length: n }, () => writer.append(event()));
    writer.close();
    const reader = AuditReader.open(path);
    const result = reader.verify();
    const hashes = new Map(rows.map((r) => [r.seq, reader.hashAt(r.seq)]));
    reader.close();
    if (!result.ok) throw new Error('fixture log does not verify');
    return { rows, result, hashAt: (seq: number) => hashes.get(seq) ?? null };
  }

  const claims = (seq: number, hash: string) => ({
    seq,
    hash,
    time: '2025-06-01T12:00:05.000Z',
    iss: ISSUER,
  });

  it('passes when the signed row is in the verified chain with the signed hash', () => {
    const { rows, result, hashAt } = log(5);
    for (const row of rows)
      expect(() => proveExtends(claims(row.seq, row.hash), result, hashAt)).not.toThrow();
  });

  it('names a truncated tail', () => {
    const { rows, result, hashAt } = log(5);
    const shorter = { ...result, rows: 3, lastSeq: 3 };
    const err = thrown(() => proveExtends(claims(5, rows[4]?.hash ?? ''), shorter, hashAt));
    expect(err.code).toBe('ERR_AUDIT_CHECKPOINT_TRUNCATED');
    expect(err.message).toMatch(/truncated: it ends at seq 3.*held seq 5/);
    const empty: VerifyResult & { ok: true } = { ok: true, rows: 0, lastSeq: 0 };
    expect(thrown(() => proveExtends(claims(1, 'x'), empty, hashAt)).message).toMatch(/has no rows/);
  });

  it('names a rewritten row', () => {
    const { result, hashAt } = log(5);
    const err = thrown(() => proveExtends(claims(4, 'ef'.repeat(32)), result, hashAt));
    expect(err.code).toBe('ERR_AUDIT_CHECKPOINT_REWRITTEN');
    expect(err.message).toMatch(/rewritten: row 4 has hash [0-9a-f]{16}…, .* signed efefefefefefefef…/);
  });

  it('does not take an anchor as proof: the signed row must still be there', () => {
    const { rows, result, hashAt } = log(5);
    const anchored = {
      ...result,
      anchor: { seq: 4, prevHash: rows[2]?.hash ?? '', time: 't', prunedRows: 3 },
    };
    const err = thrown(() => proveExtends(claims(3, rows[2]?.hash ?? ''), anchored, hashAt));
    expect(err.code).toBe('ERR_AUDIT_CHECKPOINT_PRUNED');
    expect(err.message).toMatch(/pruned by retention or deleted under a forged anchor/);
  });
});
