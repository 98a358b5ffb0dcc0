/**
 * Builds the audit row for a request: the fields every row shares come from the caller, the
 * decision from the route. The attestation is stored as a summary that identifies the process
 * (exe, sha256, ancestry, session) but leaves out command lines, which can carry secrets
 * (`mysql -pPASSWORD`): invariant 3.
 */
import type { AuditEventInput, Decision } from '../src/audit/index.js';
import type { PeerCredentials } from '../src/peer/index.js';
import type { Caller } from './identify.js';

export interface PeerEventFields {
  action: string;
  decision: Decision;
  latencyMs: number;
  resource?: string | null;
  reason?: string | null;
  errorCode?: string | null;
  /** Policies that determined the decision. */
  policyIds?: string[];
  /** sha256 of what identifies an issued credential (jti, access key id); never the secret. */
  credentialFingerprint?: string | null;
  expiresAt?: Date | null;
}

/** A peer refused before it was attested: all we know is its credentials and, maybe, its exe. */
export interface RefusedPeer {
  peer: PeerCredentials;
  exe: string | null;
}

export function peerEvent(who: Caller | RefusedPeer, fields: PeerEventFields): AuditEventInput {
  const caller = 'attestation' in who ? who : null;
  const { peer } = who;
  return {
    action: fields.action,
    decision: fields.decision,
    agent: caller?.agent.name ?? 'unknown',
    human: caller?.human.sub ?? null,
    resource: fields.resource ?? null,
    peer: {
      pid: peer.pid,
      uid: peer.uid,
      gid: peer.gid,
      exe: caller ? caller.attestation.exe : (who as RefusedPeer).exe,
    },
    attestation: caller ? attestationSummary(caller) : null,
    policyIds: fields.policyIds ?? [],
    reason: fields.reason ?? null,
    credentialFingerprint: fields.credentialFingerprint ?? null,
    expiresAt: fields.expiresAt?.toISOString() ?? null,
    errorCode: fields.errorCode ?? null,
    latencyMs: fields.latencyMs,
  };
}

function attestationSummary({ attestation: a, agent, session }: Caller): Record<string, unknown> {
  return {
    pid: a.pid,
    startTime: a.startTime,
    uid: a.uid,
    gid: a.gid,
    exe: a.exe,
    sha256: a.sha256,
    cwd: a.cwd,
    repo: a.repo,
    script: a.script?.path ?? null,
    ancestors: a.ancestors.map((hop) => ({ pid: hop.pid, exe: hop.exe })),
    pinnedBy: a.pinnedBy,
    session: session?.id ?? null,
    agentEvidence: agent.evidence,
    matched: agent.matched,
  };
}

/** A row the daemon writes on its own account (a reload), not for a peer's request. */
export function daemonEvent(
  deps: { pid: number; uid: number },
  fields: Pick<PeerEventFields, 'action' | 'decision' | 'reason' | 'errorCode'> & { resource: string },
): AuditEventInput {
  return {
    action: fields.action,
    decision: fields.decision,
    agent: 'daemon',
    human: null,
    resource: fields.resource,
    // The daemon's own process; gid and exe are not needed to tell it apart.
    peer: { pid: deps.pid, uid: deps.uid, gid: -1, exe: null },
    attestation: null,
    policyIds: [],
    reason: fields.reason ?? null,
    credentialFingerprint: null,
    expiresAt: null,
    errorCode: fields.errorCode ?? null,
    latencyMs: 0,
  };
}
