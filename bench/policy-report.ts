/** The policy section of BENCH.md. Pure, like report.ts. */
import { fmtInt, mark } from './format.js';
import type { PolicyBenchResult } from './policy.js';

export const TARGET_POLICY_P50_US = 200;

export function renderPolicyBench(result: PolicyBenchResult): string[] {
  return [
    '## Policy decisions',
    '',
    `In process, \`PolicyEngine.decide\` as the daemon calls it (Cedar wasm, the policy set ` +
      `pre-parsed once, each request cut to what its bucket's policies read), with ${result.policies} policies loaded, over ${fmtInt(result.decisions)} ` +
      `sequential decisions of a rotating mix of agents, actions and humans (${fmtInt(result.allows)} allowed), ` +
      'no two the same request (each a second later, and a policy of every bucket reads the time), ' +
      'so none is a remembered answer.',
    '',
    '| Decision | p50 µs | p99 µs | Target |',
    '|---|--:|--:|---|',
    `| ${result.policies} policies | ${fmtInt(result.p50Us)} | ${fmtInt(result.p99Us)} | ` +
      `${mark(result.p50Us < TARGET_POLICY_P50_US)} p50 < ${TARGET_POLICY_P50_US} µs |`,
  ];
}
