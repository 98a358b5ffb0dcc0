/**
 * Hot reload of the policy dir in the daemon: every reload is logged; one that fails (and so
 * leaves the last good set in force) is also audited as `policy.reload` / `error` with the
 * error, since a policy change that did not take effect is a security event. The daemon itself
 * is the actor of that row: no peer asked for it.
 */
import type { ReloadResult } from '../src/policy/index.js';
import type { DaemonDeps } from './deps.js';
import { recordDaemonEvent } from './record.js';

type ReloadDeps = Pick<DaemonDeps, 'policy' | 'log' | 'audit' | 'pid' | 'uid'>;

/** Reports the state loaded at start, then watches; returns the stop of the watch. */
export function watchPolicy(deps: ReloadDeps, debounceMs?: number): () => void {
  const initial = deps.policy.status();
  if (initial.lastError) report(deps, { ok: false, message: initial.lastError.message });
  else deps.log.info(describe(initial));
  const watcher = deps.policy.watch((result) => report(deps, resultOf(result)), debounceMs);
  return () => watcher.close();
}

function resultOf(result: ReloadResult): { ok: true; text: string } | { ok: false; message: string } {
  return result.ok
    ? { ok: true, text: describe(result.status) }
    : { ok: false, message: result.error.message };
}

function report(deps: ReloadDeps, result: { ok: true; text: string } | { ok: false; message: string }): void {
  if (result.ok) {
    deps.log.info(`policy reloaded: ${result.text}`);
    return;
  }
  deps.log.error(result.message);
  void recordDaemonEvent(deps, {
    action: 'policy.reload',
    decision: 'error',
    resource: deps.policy.status().dir,
    reason: result.message,
    errorCode: 'ERR_POLICY_INVALID',
  });
}

function describe(status: ReturnType<DaemonDeps['policy']['status']>): string {
  const where = status.source === 'default' ? `the default policy (no ${status.dir})` : status.dir;
  return `${where} (policies: ${status.policyCount})`;
}
