/**
 * Policy from git (`[policy] git = "<url>"`): the daemon's private clone, the checks a commit must
 * pass before its policies are used, and the engine source that serves them.
 */
export { GitPolicy, type GitPolicyDeps, type GitPolicyStatus, type PullOutcome } from './git-policy.js';
export { redactUrl } from './redact.js';
export { GitPolicyRepo } from './repo.js';
export type { GitRunDeps } from './run.js';
