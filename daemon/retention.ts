/**
 * Audit retention: `[audit] retain_days` applied by the daemon, the log's only writer, when it
 * starts and then once a day, and on demand by `POST /v1/audit/prune`. Pruning keeps the chain
 * verifiable through the anchor the writer records with it (src/audit).
 */
import type { PruneResult } from '../src/audit/index.js';
import type { Logger } from './log.js';

const DAY_MS = 86_400_000;

export interface RetentionDeps {
  audit: { prune(before: Date): PruneResult };
  now: () => Date;
  log: Logger;
  /** The real timers in daemon/main.ts; the returned stop cancels the schedule. */
  every: (ms: number, fn: () => void) => () => void;
}

/** The cutoff for keeping `retainDays` days, counted back from `now`. */
export function retentionCutoff(now: Date, retainDays: number): Date {
  return new Date(now.getTime() - retainDays * DAY_MS);
}

export function pruneOlderThan(deps: Omit<RetentionDeps, 'every'>, retainDays: number): PruneResult {
  const result = deps.audit.prune(retentionCutoff(deps.now(), retainDays));
  if (result.anchor) {
    deps.log.info(
      `audit retention (${retainDays} days): pruned ${result.pruned} rows; the chain now starts ` +
        `at seq ${result.anchor.seq}`,
    );
  }
  return result;
}

/**
 * Prunes now and daily, with the retention configured at that moment (config.toml reloads); a
 * failure is logged, never fatal: the log keeps growing until the next try.
 */
export function scheduleRetention(deps: RetentionDeps, retainDays: () => number): () => void {
  const run = () => {
    try {
      pruneOlderThan(deps, retainDays());
    } catch (err) {
      deps.log.warn(`audit retention failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  run();
  return deps.every(DAY_MS, run);
}
