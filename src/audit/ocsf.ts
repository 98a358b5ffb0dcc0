/**
 * Audit rows as OCSF 1.3 events, for shipping to a SIEM (`agentid audit export --format ocsf`).
 * A decision about a credential (the policy actions jwt, aws, git, static, mcp, or any row with a
 * credential fingerprint) is an Authorize Session (3003): an agent, acting for a human, is
 * granted or refused a privilege. Everything else (identify, secret and session management,
 * login, prune, refused peers) is API Activity (6003) on the daemon's API. Fields OCSF has no
 * place for go under `unmapped.agentid`. The mapping is documented in README.md (Audit log).
 * Pure: the same row always gives the same event.
 */
import type { AuditRow } from './types.js';

export const OCSF_VERSION = '1.3.0';

const CREDENTIAL_ACTIONS = new Set(['jwt', 'aws', 'git', 'static', 'mcp']);

const severity = {
  allow: { id: 1, name: 'Informational' },
  deny: { id: 3, name: 'Medium' },
  error: { id: 4, name: 'High' },
} as const;

export function toOcsf(row: AuditRow): Record<string, unknown> {
  const authorize = CREDENTIAL_ACTIONS.has(row.action) || row.credentialFingerprint !== null;
  const cls = authorize
    ? {
        category_uid: 3,
        category_name: 'Identity & Access Management',
        class_uid: 3003,
        class_name: 'Authorize Session',
      }
    : { category_uid: 6, category_name: 'Application Activity', class_uid: 6003, class_name: 'API Activity' };
  // Authorize Session: 1 Assign Privileges. API Activity: 99 Other (the daemon's verbs are not CRUD).
  const activity = authorize ? { id: 1, name: 'Assign Privileges' } : { id: 99, name: 'Other' };
  const a = (row.attestation ?? {}) as Record<string, unknown>;
  const session = typeof a.session === 'string' ? { uid: a.session } : undefined;
  const ok = row.decision === 'allow';
  const human = row.human === null ? undefined : { uid: row.human, name: row.human };
  const event: Record<string, unknown> = {
    category_uid: cls.category_uid,
    category_name: cls.category_name,
    class_uid: cls.class_uid,
    class_name: cls.class_name,
    activity_id: activity.id,
    activity_name: activity.name,
    type_uid: cls.class_uid * 100 + activity.id,
    type_name: `${cls.class_name}: ${activity.name}`,
    time: Date.parse(row.time),
    time_dt: row.time,
    severity_id: severity[row.decision].id,
    severity: severity[row.decision].name,
    status_id: ok ? 1 : 2,
    status: ok ? 'Success' : 'Failure',
    status_code: row.errorCode ?? undefined,
    status_detail: row.reason ?? undefined,
    message: `${row.agent} ${row.action}${row.resource ? ` ${row.resource}` : ''}: ${row.decision}`,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'agentid', vendor_name: 'agentid' },
      uid: row.id,
      sequence: row.seq,
      log_name: 'audit',
      logged_time: Date.parse(row.time),
    },
    actor: {
      app_name: row.agent,
      app_uid: `spiffe://agentid.local/agent/${row.agent}`,
      user: human,
      session,
      process: {
        pid: row.peer.pid,
        file: row.peer.exe === null ? undefined : processFile(row.peer.exe, a.sha256),
        user: { uid: String(row.peer.uid) },
      },
    },
    unmapped: {
      agentid: {
        action: row.action,
        decision: row.decision,
        // How the agent's name was established (sandbox, session, selector-sha256, ...).
        agent_evidence: typeof a.agentEvidence === 'string' ? a.agentEvidence : undefined,
        session_via: typeof a.sessionVia === 'string' ? a.sessionVia : undefined,
        policy_ids: row.policyIds,
        attestation_digest: row.attestationDigest,
        credential_fingerprint: row.credentialFingerprint,
        latency_ms: row.latencyMs,
        peer_gid: row.peer.gid,
        prev_hash: row.prevHash,
        hash: row.hash,
      },
    },
  };
  if (authorize) {
    event.user = human ?? { uid: 'unknown' };
    event.privileges = [row.resource === null ? row.action : `${row.action}:${row.resource}`];
    const expiry =
      row.expiresAt === null
        ? {}
        : { expiration_time: Date.parse(row.expiresAt), expiration_time_dt: row.expiresAt };
    event.session = Object.assign({}, session, expiry);
  } else {
    event.api = { operation: row.action, service: { name: 'agentid' } };
    event.resources = row.resource === null ? undefined : [{ name: row.resource }];
    event.src_endpoint = { name: 'unix-socket' };
  }
  return event;
}

/**
 * One event as the JSON text `audit export --format ocsf` prints and every shipping sink carries,
 * so a collector sees the same bytes from either.
 */
export function ocsfJson(row: AuditRow): string {
  return JSON.stringify(toOcsf(row));
}

/** OCSF File; the hash is the attested sha256 of the running executable (algorithm_id 3 = SHA-256). */
function processFile(path: string, sha256: unknown): Record<string, unknown> {
  const file: Record<string, unknown> = { path, name: path.slice(path.lastIndexOf('/') + 1) };
  if (typeof sha256 === 'string') file.hashes = [{ algorithm_id: 3, algorithm: 'SHA-256', value: sha256 }];
  return file;
}
