/**
 * Hot reload of the policy dir in the daemon. Every load, the first one at start included, is
 * logged and audited as `policy.reload` with the sha256 of every file it read (SECURITY.md
 * invariant 9): `allow` when the set took effect, `error` (with ERR_POLICY_INVALID, or
 * ERR_POLICY_UNSAFE for a dir or file another user could write) when it did not and the last good
 * set stays in force. A policy change is a security event whether or not it took. The daemon
 * itself is the actor of the row: no peer asked for it.
 */
import type { AuditEventInput } from '../src/audit/index.js';
import type { ReloadResult } from '../src/policy/index.js';
import type { DaemonDeps } from './deps.js';

type ReloadDeps = Pick<DaemonDeps, 'policy' | 'log' | 'audit' | 'pid' | 'uid'>;

/** Reports the load made at start, then watches; returns the stop of the watch. */
export function watchPolicy(deps: ReloadDeps, debounceMs?: number): () => void {
  report(deps, deps.policy.firstLoad);
  const watcher = deps.policy.watch((result) => report(deps, result), debounceMs);
  return () => watcher.close();
}

function report(deps: ReloadDeps, result: ReloadResult): void {
  const files = result.files.map((f) => `${f.name} sha256=${f.sha256}`).join(', ') || 'no files';
  if (result.ok) {
    const { status } = result;
    const where = status.source === 'default' ? `the default policy (no ${status.dir})` : status.dir;
    deps.log.info(`policy loaded: ${where} (policies: ${status.policyCount})`);
    deps.audit.append(
      reloadEvent(deps, 'allow', `loaded ${status.policyCount} policies from ${where}: ${files}`, null),
    );
    return;
  }
  deps.log.error(result.error.message);
  deps.audit.append(
    reloadEvent(deps, 'error', `${result.error.message}; files read: ${files}`, result.error.code),
  );
}

function reloadEvent(
  deps: ReloadDeps,
  decision: 'allow' | 'error',
  reason: string,
  errorCode: string | null,
): AuditEventInput {
  return {
    action: 'policy.reload',
    decision,
    agent: 'daemon',
    human: null,
    resource: deps.policy.status().dir,
    // The daemon's own process; gid and exe are not needed to tell it apart.
    peer: { pid: deps.pid, uid: deps.uid, gid: -1, exe: null },
    attestation: null,
    policyIds: [],
    reason,
    credentialFingerprint: null,
    expiresAt: null,
    errorCode,
    latencyMs: 0,
  };
}
