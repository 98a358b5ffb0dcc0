/**
 * The audit facts of the team features, in one place: the gap the shipper reports and a pull of
 * policy from git. A request's facts go back through the pipeline (routes/policy-pull.ts); what
 * the daemon does on its own is recorded with it as the actor (record.ts).
 */
import type { GapReport } from '../src/audit/index.js';
import type { GitPolicyStatus, PullOutcome } from '../src/policy/index.js';
import type { DaemonDeps } from './deps.js';
import type { AuditFacts } from './outcome.js';
import { recordDaemonEvent } from './record.js';

type Facts = AuditFacts & { action: string };

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
  void recordDaemonEvent(deps, {
    action: 'audit.ship.gap',
    decision: 'error',
    resource: target,
    reason,
    errorCode: 'ERR_AUDIT_SHIP_GAP',
  });
}

/** A pull of policy from git: every change and every refusal, with the commit id as the resource. */
export function pullFacts(outcome: PullOutcome, git: GitPolicyStatus): Facts {
  const from = `${git.url} ${git.ref}`;
  if (outcome.outcome === 'refused') {
    const { error } = outcome;
    const refusal = ['ERR_POLICY_GIT_UNSIGNED', 'ERR_POLICY_GIT_UNTRUSTED', 'ERR_POLICY_GIT_ROLLBACK'];
    return {
      action: 'policy.pull',
      decision: refusal.includes(error.code) ? 'deny' : 'error',
      resource: outcome.commit,
      reason: `not applied from ${from} (the set in force stays${git.commit ? `: ${git.commit}` : ''}): ${error.message}`,
      errorCode: error.code,
    };
  }
  const reason =
    outcome.outcome === 'unchanged'
      ? `${outcome.commit} of ${from} is already in force`
      : `applied ${outcome.commit} of ${from} (previously ${outcome.previous ?? 'none'}; ` +
        `${outcome.signer ? `signed by ${outcome.signer}` : 'signature not checked'}; files: ${outcome.files.join(', ')})`;
  return { action: 'policy.pull', decision: 'allow', resource: outcome.commit, reason };
}

/** A pull the daemon made on its own (at start, on the interval). */
export function auditScheduledPull(
  deps: Pick<DaemonDeps, 'audit' | 'pid' | 'uid' | 'log'>,
  outcome: PullOutcome,
  git: GitPolicyStatus,
  latencyMs: number,
) {
  void recordDaemonEvent(deps, { ...pullFacts(outcome, git), latencyMs });
}
