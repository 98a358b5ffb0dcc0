/**
 * One audit row in its two forms (the typed AuditRow and the SQLite columns) and the chain hash
 * over it. Writer and verifier both hash through chainHash, so what is checked is by construction
 * what was written.
 */
import { createHash } from 'node:crypto';
import { AgentIdError } from '../errors.js';
import { type CanonicalText, canonicalJson } from './canonical-json.js';
import type { AuditRow, Decision } from './types.js';

/** prev_hash of seq 1. */
export const GENESIS_HASH = '0'.repeat(64);

/** A row of the events table as better-sqlite3 returns it. */
export interface EventColumns {
  seq: number;
  id: string;
  time: string;
  action: string;
  decision: string;
  agent: string;
  human: string | null;
  resource: string | null;
  peer_pid: number;
  peer_uid: number;
  peer_gid: number;
  peer_exe: string | null;
  attestation: string | null;
  attestation_digest: string | null;
  policy_ids: string;
  reason: string | null;
  credential_fingerprint: string | null;
  expires_at: string | null;
  error_code: string | null;
  latency_ms: number;
  prev_hash: string;
  hash: string;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A row without its hash; the JSON columns may also come as text known to be canonical. */
export type Hashable = Omit<AuditRow, 'hash' | 'attestation' | 'policyIds'> & {
  attestation: AuditRow['attestation'] | CanonicalText | null;
  policyIds: AuditRow['policyIds'] | CanonicalText;
};

export function chainHash(row: Hashable): string {
  return sha256Hex(`${row.prevHash}\n${canonicalJson(row)}`);
}

/** `attestationJson` is passed in because the writer has already canonicalized it once. */
export function toColumns(row: AuditRow, attestationJson: string | null): EventColumns {
  return {
    seq: row.seq,
    id: row.id,
    time: row.time,
    action: row.action,
    decision: row.decision,
    agent: row.agent,
    human: row.human,
    resource: row.resource,
    peer_pid: row.peer.pid,
    peer_uid: row.peer.uid,
    peer_gid: row.peer.gid,
    peer_exe: row.peer.exe,
    attestation: attestationJson,
    attestation_digest: row.attestationDigest,
    policy_ids: canonicalJson(row.policyIds),
    reason: row.reason,
    credential_fingerprint: row.credentialFingerprint,
    expires_at: row.expiresAt,
    error_code: row.errorCode,
    latency_ms: row.latencyMs,
    prev_hash: row.prevHash,
    hash: row.hash,
  };
}

export function fromColumns(c: EventColumns): AuditRow {
  return decodeColumns(
    c,
    (text) => parseJson<Record<string, unknown>>(c, 'attestation', text),
    (text) => parseJson<string[]>(c, 'policy_ids', text),
  );
}

/** The row of `c`, its two JSON columns decoded by the given functions (parsed, or kept as text). */
export function decodeColumns<A, P>(
  c: EventColumns,
  attestation: (text: string) => A,
  policyIds: (text: string) => P,
): Omit<AuditRow, 'attestation' | 'policyIds'> & { attestation: A | null; policyIds: P } {
  return {
    seq: c.seq,
    id: c.id,
    time: c.time,
    action: c.action,
    // The table's CHECK constraint admits only the three decisions.
    decision: c.decision as Decision,
    agent: c.agent,
    human: c.human,
    resource: c.resource,
    peer: { pid: c.peer_pid, uid: c.peer_uid, gid: c.peer_gid, exe: c.peer_exe },
    attestation: c.attestation === null ? null : attestation(c.attestation),
    attestationDigest: c.attestation_digest,
    policyIds: policyIds(c.policy_ids),
    reason: c.reason,
    credentialFingerprint: c.credential_fingerprint,
    expiresAt: c.expires_at,
    errorCode: c.error_code,
    latencyMs: c.latency_ms,
    prevHash: c.prev_hash,
    hash: c.hash,
  };
}

function parseJson<T>(c: EventColumns, column: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    // Only the writer stores these columns, always as canonical JSON: unparsable means tampered.
    throw new AgentIdError(
      'ERR_AUDIT_CHAIN_BROKEN',
      `audit row seq ${c.seq} is unreadable: ${column} is not JSON`,
    );
  }
}
