/** Human-readable policy state for `agentid status` and `agentid daemon status`. */
import type { PolicyStatusView } from '../src/protocol/index.js';

export function formatPolicyStatus(policy: PolicyStatusView): string[] {
  const source =
    policy.source === 'default'
      ? `built-in default (no ${policy.dir}; \`agentid init\` writes it there)`
      : `${policy.dir} (${policy.files.length} files)`;
  const loaded = policy.loadedAt ? `loaded ${policy.loadedAt}` : 'none loaded: every credential is denied';
  const lines = [`  policy:      ${source}, policies: ${policy.policyCount}, ${loaded}`];
  if (policy.lastError) {
    lines.push(`  policy error (${policy.lastError.at}, not applied): ${policy.lastError.message}`);
  }
  return lines;
}
