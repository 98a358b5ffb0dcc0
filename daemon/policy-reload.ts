/**
 * Hot reload of the policy dir in the daemon. Every load, the first one at start included, is
 * logged and audited as `policy.reload` with the sha256 of every file it read (SECURITY.md
 * invariant 9): `allow` when the set took effect, `error` (with ERR_POLICY_INVALID, or
 * ERR_POLICY_UNSAFE for a dir or file another user could write) when it did not and the last good
 * set stays in force. A policy change is a security event whether or not it took. The daemon
 * itself is the actor of the row: no peer asked for it.
 */
import type { ReloadResult } from '../src/policy/index.js';
import type { DaemonDeps } from './deps.js';
import { recordDaemonEvent } from './record.js';

type ReloadDeps = Pick<DaemonDeps, 'policy' | 'log' | 'audit' | 'pid' | 'uid'>;

/** Reports the load made at start, then watches; returns the stop of the watch. */
export function watchPolicy(deps: ReloadDeps, debounceMs?: number): () => void {
  report(deps, deps.policy.firstLoad);
  const watcher = deps.policy.watch((result) => report(deps, result), debounceMs);
  return () => watcher.close();
}

function report(deps: ReloadDeps, result: ReloadResult): void {
  const files = result.files.map((f) => `${f.name} sha256=${f.sha256}`).join(', ') || 'no files';
  const resource = deps.policy.status().dir;
  if (result.ok) {
    const { status } = result;
    const where = status.source === 'default' ? `the default policy (no ${status.dir})` : status.dir;
    deps.log.info(`policy loaded: ${where} (policies: ${status.policyCount})`);
    void recordDaemonEvent(deps, {
      action: 'policy.reload',
      decision: 'allow',
      resource,
      reason: `loaded ${status.policyCount} policies from ${where}: ${files}`,
    });
    return;
  }
  deps.log.error(result.error.message);
  void recordDaemonEvent(deps, {
    action: 'policy.reload',
    decision: 'error',
    resource,
    reason: `${result.error.message}; files read: ${files}`,
    errorCode: result.error.code,
  });
}
