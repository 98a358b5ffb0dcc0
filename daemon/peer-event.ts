/**
 * Builds the audit row for a request from one peer: the fields every row shares come from the
 * connection, the decision from the caller. Keeps routes and the server from repeating it.
 */
import type { AuditEventInput, Decision } from '../src/audit/index.js';
import type { PeerCredentials } from '../src/peer/index.js';

export interface PeerEventFields {
  action: string;
  decision: Decision;
  latencyMs: number;
  agent?: string;
  human?: string | null;
  resource?: string | null;
  reason?: string | null;
  errorCode?: string | null;
}

export interface Caller {
  peer: PeerCredentials;
  /** Real executable of the peer, null when /proc could not tell. */
  exe: string | null;
}

export function peerEvent({ peer, exe }: Caller, fields: PeerEventFields): AuditEventInput {
  return {
    action: fields.action,
    decision: fields.decision,
    agent: fields.agent ?? 'unknown',
    human: fields.human ?? null,
    resource: fields.resource ?? null,
    peer: { pid: peer.pid, uid: peer.uid, gid: peer.gid, exe },
    attestation: null,
    policyIds: [],
    reason: fields.reason ?? null,
    credentialFingerprint: null,
    expiresAt: null,
    errorCode: fields.errorCode ?? null,
    latencyMs: fields.latencyMs,
  };
}
