/**
 * The shapes of the audit log, shared by the writer (daemon), the reader (CLI, TUI) and the
 * chain check. Kept apart from the SQLite code so callers can type events without loading it.
 */

export type Decision = 'allow' | 'deny' | 'error';

export interface AuditEventInput {
  /** 'identify', 'refuse' (peer refused), 'secret.set', 'jwt', 'aws', 'git', ... */
  action: string;
  decision: Decision;
  /** Agent name; 'unknown' when attestation matched no agent. */
  agent: string;
  /** e.g. 'local:alice@host'. */
  human: string | null;
  /** e.g. the credential name. */
  resource: string | null;
  peer: { pid: number; uid: number; gid: number; exe: string | null };
  /** Stored as canonical JSON; the row keeps its sha256 hex as `attestationDigest`. */
  attestation: Record<string, unknown> | null;
  policyIds: string[];
  reason: string | null;
  /** sha256 hex (64 lowercase hex chars) of the secret or jti, never the secret itself. */
  credentialFingerprint: string | null;
  /** ISO 8601. */
  expiresAt: string | null;
  errorCode: string | null;
  latencyMs: number;
}

export interface AuditRow extends AuditEventInput {
  seq: number;
  id: string;
  /** ISO 8601 UTC, from the writer's clock. */
  time: string;
  attestationDigest: string | null;
  prevHash: string;
  hash: string;
}

export interface AuditDeps {
  now: () => Date;
  randomUUID: () => string;
}

export interface AuditQuery {
  /** Rows with time >= since. */
  since?: Date;
  agent?: string;
  human?: string;
  decision?: Decision;
  action?: string;
  limit?: number;
  /** By seq; default 'asc'. */
  order?: 'asc' | 'desc';
  /** Keyset cursors: only rows with seq > afterSeq / seq < beforeSeq, so a page never skips rows. */
  afterSeq?: number;
  beforeSeq?: number;
}

/** Written by a prune in the same transaction as the delete: where the surviving chain starts. */
export interface Anchor {
  /** The first seq that survived the prune. */
  seq: number;
  /** That row's prev_hash: the hash of the last pruned row. */
  prevHash: string;
  /** When the prune ran (ISO 8601 UTC). */
  time: string;
  prunedRows: number;
}

export interface PruneResult {
  pruned: number;
  /** null when nothing was old enough to prune. */
  anchor: Anchor | null;
}

/**
 * `rows` counts the rows that checked out before the break (all rows when ok). `anchor` is set
 * when the chain was checked from a prune's anchor rather than from seq 1.
 */
export type VerifyResult =
  | { ok: true; rows: number; lastSeq: number; anchor?: Anchor }
  | { ok: false; rows: number; brokenSeq: number; reason: string; anchor?: Anchor };
