/**
 * One audit row in its two forms: the typed AuditRow and the SQLite columns. HASHED_COLUMNS is the
 * one column order that the writer, the verifier's raw reads and the row serializer (row-json.ts)
 * all index by, and it is checked at compile time against EventColumns in both directions.
 */
import { hash } from 'node:crypto';
import { AgentIdError } from '../errors.js';
import { canonicalJson } from './canonical-json.js';
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

export type HashedColumns = Omit<EventColumns, 'hash'>;

/** Every column but `hash`, in table order: what the row's hash covers. */
export const HASHED_COLUMNS = [
  'seq',
  'id',
  'time',
  'action',
  'decision',
  'agent',
  'human',
  'resource',
  'peer_pid',
  'peer_uid',
  'peer_gid',
  'peer_exe',
  'attestation',
  'attestation_digest',
  'policy_ids',
  'reason',
  'credential_fingerprint',
  'expires_at',
  'error_code',
  'latency_ms',
  'prev_hash',
] as const satisfies readonly (keyof HashedColumns)[];

/** Table order; `hash` last, so a raw row's first values are exactly its HashedValues. */
export const EVENT_COLUMNS = [...HASHED_COLUMNS, 'hash'] as const;

// A column added to EventColumns but not to HASHED_COLUMNS fails to compile here.
const columnsComplete: Exclude<keyof HashedColumns, (typeof HASHED_COLUMNS)[number]> extends never
  ? true
  : never = true;
void columnsComplete;

/** The hashed columns of one row as values in HASHED_COLUMNS order (a `.raw()` read gives these). */
export type HashedValues = ValuesOf<typeof HASHED_COLUMNS>;
type ValuesOf<T extends readonly (keyof HashedColumns)[]> = {
  -readonly [I in keyof T]: T[I] extends keyof HashedColumns ? HashedColumns[T[I]] : never;
};

/** A raw read of all EVENT_COLUMNS: the hashed values, then the stored hash. */
export type EventValues = [...HashedValues, string];

/** Position of `column` in a raw row. */
export function columnIndex(column: keyof EventColumns): number {
  return (EVENT_COLUMNS as readonly string[]).indexOf(column);
}

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** `row` as columns; `attestationJson` is passed in because the writer has canonicalized it already. */
export function toColumns(row: Omit<AuditRow, 'hash'>, attestationJson: string | null): HashedColumns {
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
  };
}

export function valuesOf(columns: HashedColumns): HashedValues {
  return HASHED_COLUMNS.map((name) => columns[name]) as unknown as HashedValues;
}

export function fromColumns(c: EventColumns): AuditRow {
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
    attestation: c.attestation === null ? null : parseJson(c, 'attestation', c.attestation),
    attestationDigest: c.attestation_digest,
    policyIds: parseJson<string[]>(c, 'policy_ids', c.policy_ids),
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
