/**
 * Policy from git in the daemon: pulls at start (in the background: the socket does not wait on
 * the network) and then every `[policy] interval`. Every change and every refusal is audited with
 * the daemon as the actor, once per commit and outcome: a refused commit that stays on the remote
 * is not audited again at every interval, nor is an unchanged one. `agentid policy pull` pulls now
 * (daemon/routes/policy-pull.ts) and is audited as the caller's request.
 */
import { ensurePrivateDir } from '../src/paths.js';
import {
  GitPolicy,
  GitPolicyRepo,
  type GitRunDeps,
  type ReloadResult,
  readPolicyDir,
} from '../src/policy/index.js';
import type { DaemonDeps } from './deps.js';
import { auditScheduledPull } from './team-audit.js';

export interface GitPolicyScheduleDeps
  extends Pick<DaemonDeps, 'audit' | 'pid' | 'uid' | 'log' | 'monotonicMs'> {
  git: GitPolicy;
  intervalMs: number;
  /** The real timers in daemon/main.ts; the returned stop cancels the schedule. */
  every(ms: number, fn: () => void): () => void;
}

export function scheduleGitPolicy(deps: GitPolicyScheduleDeps): () => void {
  let lastAudited = '';
  const pull = async () => {
    const started = deps.monotonicMs();
    const outcome = await deps.git.pull();
    const status = deps.git.status();
    if (outcome.outcome === 'applied')
      deps.log.info(`policy from git: applied ${outcome.commit} (${status.url} ${status.ref})`);
    if (outcome.outcome === 'refused')
      deps.log.warn(`policy from git: ${outcome.error.message} (${outcome.error.code})`);
    const key =
      outcome.outcome === 'refused' ? `${outcome.commit}:${outcome.error.code}` : `${outcome.commit}`;
    if (outcome.outcome === 'unchanged' || key === lastAudited) return;
    lastAudited = key;
    auditScheduledPull(deps, outcome, status, deps.monotonicMs() - started);
  };
  const run = () => {
    pull().catch((err: unknown) =>
      deps.log.error(`policy from git: ${err instanceof Error ? err.message : String(err)}`),
    );
  };
  run();
  return deps.every(deps.intervalMs, run);
}

/** The git policy source of `[policy] git`, or null without one. */
export function buildGitPolicy(
  deps: Pick<DaemonDeps, 'config' | 'paths' | 'uid' | 'now'> & {
    run: GitRunDeps;
    /** The engine's reload; the engine is built with this source, so it comes late. */
    reload(): ReloadResult;
  },
): GitPolicy | null {
  const { git, local } = deps.config.policy;
  if (!git) return null;
  ensurePrivateDir(deps.paths.policyGitDir, deps.uid);
  return new GitPolicy({
    config: git,
    local,
    repo: new GitPolicyRepo(git, deps.paths.policyGitDir, deps.run),
    readLocal: () => readPolicyDir(deps.paths.policyDir, deps.uid),
    reload: () => deps.reload(),
    now: deps.now,
  });
}
