/**
 * Signed checkpoints of the audit chain. The hash chain alone cannot tell a log whose newest rows
 * were deleted, or rewritten and re-chained, from an honest shorter log: anyone with the file can
 * recompute every hash. A checkpoint is the daemon's signature (ES256, its JWT signing key) over the
 * chain head at one moment, {seq, hash, time, iss}, as a compact JWS inside a small JSON document
 * kept wherever the user likes. Later, the log must still hold row `seq` with exactly that hash,
 * inside a chain that verifies, or it no longer extends what was signed.
 *
 * Checkpoints outlive tokens, so they verify against every public key the daemon ever signed
 * with, not only the ones its JWKS still publishes. The protected header's `typ` keeps the two
 * uses of the key apart: an agent JWT is never accepted as a checkpoint, nor the reverse.
 */
import type { webcrypto } from 'node:crypto';
import type { JWK } from 'jose';
import { AgentIdError } from '../errors.js';
import type { VerifyResult } from './types.js';

// jose is some 45 modules: loaded when a checkpoint is signed or verified, not by every reader
// of the audit barrel (`agentid audit --json` among them).
const loadJose = () => import('jose');

export const CHECKPOINT_TYP = 'agentid-audit-checkpoint+jws';

/** What the daemon signs: the chain head when the checkpoint was taken. */
export interface CheckpointClaims {
  seq: number;
  hash: string;
  /** The head row's time (ISO 8601 UTC). */
  time: string;
  /** The daemon's issuer (`[jwt] issuer`). */
  iss: string;
}

/** The document `agentid audit checkpoint` prints: the claims in the clear, and the JWS over them. */
export interface CheckpointDocument extends CheckpointClaims {
  kid: string;
  jws: string;
}

const HASH = /^[0-9a-f]{64}$/;

export async function signCheckpoint(
  claims: CheckpointClaims,
  key: { kid: string; privateKey: webcrypto.CryptoKey },
): Promise<CheckpointDocument> {
  const payload = { seq: claims.seq, hash: claims.hash, time: claims.time, iss: claims.iss };
  const { CompactSign } = await loadJose();
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: CHECKPOINT_TYP })
    .sign(key.privateKey);
  return { ...payload, kid: key.kid, jws };
}

/**
 * The signed content of `text` (a checkpoint file), once its signature checks out under one of
 * `keys`. The fields in the clear must equal the signed ones, so nobody reads an edited copy.
 */
export async function verifyCheckpoint(text: string, keys: { keys: JWK[] }): Promise<CheckpointDocument> {
  const document = parseDocument(text);
  const jose = await loadJose();
  let verified: Awaited<ReturnType<typeof jose.compactVerify>>;
  try {
    verified = await jose.compactVerify(document.jws, jose.createLocalJWKSet(keys), {
      algorithms: ['ES256'],
    });
  } catch (err) {
    throw signatureError(jose, err, document.jws);
  }
  if (verified.protectedHeader.typ !== CHECKPOINT_TYP) {
    throw new AgentIdError(
      'ERR_AUDIT_CHECKPOINT_SIGNATURE',
      `the checkpoint's signature is not over an audit checkpoint (typ ${String(verified.protectedHeader.typ)}); ` +
        'take one with `agentid audit checkpoint`',
    );
  }
  const signed = parseClaims(new TextDecoder().decode(verified.payload));
  const kid = verified.protectedHeader.kid ?? '';
  const edited: string[] = (['seq', 'hash', 'time', 'iss'] as const).filter(
    (name) => document[name] !== signed[name],
  );
  if (document.kid !== kid) edited.push('kid');
  if (edited.length > 0) {
    throw new AgentIdError(
      'ERR_AUDIT_CHECKPOINT_SIGNATURE',
      `the checkpoint was edited: its ${edited.join(', ')} differ from what its signature covers ` +
        `(signed: seq ${signed.seq}, hash ${signed.hash.slice(0, 16)}…); check the copy you keep elsewhere`,
    );
  }
  return { ...signed, kid, jws: document.jws };
}

/**
 * Proves that a log whose chain check gave `chain` extends the checkpoint: row `seq` is inside the
 * verified chain and `hashAt(seq)` is the signed hash. Throws a coded error naming what happened.
 */
export function proveExtends(
  checkpoint: CheckpointClaims,
  chain: VerifyResult & { ok: true },
  hashAt: (seq: number) => string | null,
): void {
  const { seq } = checkpoint;
  const taken = `the checkpoint of seq ${seq} (${checkpoint.time})`;
  if (chain.anchor && seq < chain.anchor.seq) {
    // Retention is one way rows go; a forged anchor over deleted rows looks the same, so neither passes.
    throw new AgentIdError(
      'ERR_AUDIT_CHECKPOINT_PRUNED',
      `${taken} can no longer be checked: the log now starts at seq ${chain.anchor.seq} (anchor of ` +
        `${chain.anchor.time}), so row ${seq} was pruned by retention or deleted under a forged anchor; ` +
        'checkpoints must be newer than [audit] retain_days to be checked: take a new one',
    );
  }
  if (chain.rows === 0 || seq > chain.lastSeq) {
    const end = chain.rows === 0 ? 'has no rows' : `ends at seq ${chain.lastSeq}`;
    throw new AgentIdError(
      'ERR_AUDIT_CHECKPOINT_TRUNCATED',
      `the audit log was truncated: it ${end}, but ${taken} was signed while it held seq ${seq}; ` +
        'rows up to it were deleted. Keep the log and this checkpoint as evidence and restore audit.db from a backup',
    );
  }
  const stored = hashAt(seq);
  if (stored !== checkpoint.hash) {
    throw new AgentIdError(
      'ERR_AUDIT_CHECKPOINT_REWRITTEN',
      `the audit log was rewritten: row ${seq} has hash ${stored?.slice(0, 16) ?? 'none'}…, but ${taken} ` +
        `signed ${checkpoint.hash.slice(0, 16)}…, so rows up to seq ${seq} were changed and the chain ` +
        're-computed. Keep the log and this checkpoint as evidence and restore audit.db from a backup',
    );
  }
}

function parseDocument(text: string): CheckpointDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('it is not JSON');
  }
  if (typeof value !== 'object' || value === null || typeof (value as { jws?: unknown }).jws !== 'string') {
    throw invalid('it has no "jws" string');
  }
  return value as CheckpointDocument;
}

function parseClaims(text: string): CheckpointClaims {
  let value: Partial<Record<keyof CheckpointClaims, unknown>>;
  try {
    value = JSON.parse(text) as typeof value;
  } catch {
    throw invalid('its signed payload is not JSON');
  }
  const { seq, hash, time, iss } = value ?? {};
  if (
    typeof seq !== 'number' ||
    !Number.isSafeInteger(seq) ||
    seq < 1 ||
    typeof hash !== 'string' ||
    !HASH.test(hash) ||
    typeof time !== 'string' ||
    typeof iss !== 'string'
  ) {
    throw invalid('its signed payload is not {seq, hash, time, iss}');
  }
  return { seq, hash, time, iss };
}

function invalid(why: string): AgentIdError {
  return new AgentIdError(
    'ERR_AUDIT_CHECKPOINT_INVALID',
    `not an audit checkpoint: ${why}; pass a file written by \`agentid audit checkpoint --out FILE\``,
  );
}

function signatureError(
  { errors, decodeProtectedHeader }: Awaited<ReturnType<typeof loadJose>>,
  err: unknown,
  jws: string,
): AgentIdError {
  if (err instanceof errors.JWKSNoMatchingKey) {
    return new AgentIdError(
      'ERR_AUDIT_CHECKPOINT_SIGNATURE',
      `the checkpoint is signed by a key this daemon never used (kid ${String(decodeProtectedHeader(jws).kid)}): ` +
        'it is forged, from another machine, or from a daemon that kept its key in memory only (no keychain); ' +
        'verify on the machine whose daemon signed it',
      { cause: err },
    );
  }
  if (err instanceof errors.JWSInvalid) {
    return invalid(`its "jws" is not a compact JWS (${err.message})`);
  }
  return new AgentIdError(
    'ERR_AUDIT_CHECKPOINT_SIGNATURE',
    'the checkpoint signature does not verify: the file was forged or altered; check the copy you keep elsewhere',
    { cause: err },
  );
}
