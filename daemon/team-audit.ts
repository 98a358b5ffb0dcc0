/**
 * The audit rows of the team features (shipping gaps, policy from git), written in this one place:
 * by the daemon itself as the actor, or for the peer whose request caused them. When the request
 * pipeline's audit API lands, this is the function that moves to it.
 */
import type { AuditRow } from '../src/audit/index.js';
import type { GapReport } from '../src/audit/ship/types.js';
import type { GitPolicyStatus, PullOutcome } from '../src/policy/git/index.js';
import type { DaemonDeps } from './deps.js';
import type { Caller } from './identify.js';
import { type PeerEventFields, peerEvent } from './peer-event.js';

export function auditTeamEvent(
  deps: Pick<DaemonDeps, 'audit' | 'pid' | 'uid'>,
  who: Caller | 'daemon',
  fields: PeerEventFields,
): AuditRow {
  if (who !== 'daemon') return deps.audit.append(peerEvent(who, fields));
  return deps.audit.append({
    ...peerEvent({ peer: { pid: deps.pid, uid: deps.uid, gid: -1, pidfd: null }, exe: null }, fields),
    // No peer asked: the daemon acted on its own (a schedule, a finding of the shipper).
    agent: 'daemon',
  });
}

/** Rows the shipper found gone before it could ship them: a security event of its own. */
export function auditShipGap(
  deps: Pick<DaemonDeps, 'audit' | 'pid' | 'uid' | 'log'>,
  target: string,
  gap: GapReport,
) {
  const rows = gap.to - gap.from + 1;
  const how =
    gap.reason === 'pruned' ? 'pruned by retention ([audit] retain_days)' : 'deleted outside agentid';
  const reason =
    `audit rows ${gap.from}..${gap.to} (${rows}) were ${how} before they were shipped to ${target}; ` +
    'the collector will never receive them';
  deps.log.error(reason);
  auditTeamEvent(deps, 'daemon', {
    action: 'audit.ship.gap',
    decision: 'error',
    resource: target,
    reason,
    errorCode: 'ERR_AUDIT_SHIP_GAP',
    latencyMs: 0,
  });
}

/** A pull of policy from git: every change and every refusal, with the commit id as the resource. */
export function auditPolicyPull(
  deps: Pick<DaemonDeps, 'audit' | 'pid' | 'uid'>,
  who: Caller | 'daemon',
  outcome: PullOutcome,
  git: GitPolicyStatus,
  latencyMs: number,
): AuditRow {
  const from = `${git.url} ${git.ref}`;
  if (outcome.outcome === 'refused') {
    const { error } = outcome;
    const refusal = ['ERR_POLICY_GIT_UNSIGNED', 'ERR_POLICY_GIT_UNTRUSTED', 'ERR_POLICY_GIT_ROLLBACK'];
    return auditTeamEvent(deps, who, {
      action: 'policy.pull',
      decision: refusal.includes(error.code) ? 'deny' : 'error',
      resource: outcome.commit,
      reason: `not applied from ${from} (the set in force stays${git.commit ? `: ${git.commit}` : ''}): ${error.message}`,
      errorCode: error.code,
      latencyMs,
    });
  }
  const reason =
    outcome.outcome === 'unchanged'
      ? `${outcome.commit} of ${from} is already in force`
      : `applied ${outcome.commit} of ${from} (previously ${outcome.previous ?? 'none'}; ` +
        `${outcome.signer ? `signed by ${outcome.signer}` : 'signature not checked'}; files: ${outcome.files.join(', ')})`;
  return auditTeamEvent(deps, who, {
    action: 'policy.pull',
    decision: 'allow',
    resource: outcome.commit,
    reason,
    latencyMs,
  });
}
