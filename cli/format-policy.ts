/** Human-readable policy state for `agentid status` and `agentid daemon status`. */
import type { GitPolicyStatusView, PolicyStatusView } from '../src/protocol/index.js';

export function formatPolicyStatus(
  policy: PolicyStatusView,
  git: GitPolicyStatusView | null = null,
): string[] {
  const source =
    policy.source === 'default'
      ? `built-in default (no ${policy.dir}; \`agentid init\` writes it there)`
      : policy.source === 'git' && git
        ? `git ${git.url} ${git.ref}${git.local === 'merge' ? ` + ${policy.dir}` : ''} (${policy.files.length} files)`
        : `${policy.dir} (${policy.files.length} files)`;
  const loaded = policy.loadedAt ? `loaded ${policy.loadedAt}` : 'none loaded: every credential is denied';
  const lines = [`  policy:      ${source}, policies: ${policy.policyCount}, ${loaded}`];
  if (git) lines.push(`  policy git:  ${describeGitPolicy(git)}`);
  if (git?.lastError) {
    lines.push(
      `  policy git error (${git.lastError.at}, not applied): ${git.lastError.message} (${git.lastError.code})`,
    );
  }
  if (policy.lastError) {
    lines.push(`  policy error (${policy.lastError.at}, not applied): ${policy.lastError.message}`);
  }
  return lines;
}

/** `commit 1a2b… signed by alice@example.com, applied …, fetched …` */
export function describeGitPolicy(git: GitPolicyStatusView): string {
  if (git.commit === null)
    return `no commit taken yet from ${git.url} ${git.ref}: every credential is denied`;
  const signed = git.allowedSigners === null ? 'signatures not checked' : `signed by ${git.signer}`;
  const fetched = git.lastFetchAt ? `, fetched ${git.lastFetchAt}` : '';
  return `commit ${git.commit} (${signed}), applied ${git.appliedAt}${fetched}`;
}
