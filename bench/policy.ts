/**
 * Policy decision latency, in process: the PolicyEngine the daemon uses, over a policy dir of 100
 * policies shaped like real ones (per-agent permits with repo and group conditions, global
 * forbids), deciding a rotating mix of agents, actions and humans, allows and denies alike.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PolicyAction, PolicyEngine, whatIfInput } from '../src/policy/index.js';
import { percentile } from './load.js';

export const POLICY_COUNT = 100;
const GLOBAL_POLICIES = globalPolicies();
const AGENT_POLICY_COUNT = POLICY_COUNT - GLOBAL_POLICIES.length;

export interface PolicyBenchOptions {
  workDir: string;
  decisions: number;
  warmup: number;
  /** Monotonic milliseconds. */
  now: () => number;
}

export interface PolicyBenchResult {
  policies: number;
  decisions: number;
  allows: number;
  p50Us: number;
  p99Us: number;
}

const ACTIONS: readonly PolicyAction[] = ['jwt', 'aws', 'git', 'static', 'mcp'];

export function benchPolicy(opts: PolicyBenchOptions): PolicyBenchResult {
  const dir = join(opts.workDir, 'policy');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'agents.cedar'), agentPolicies(AGENT_POLICY_COUNT).join('\n'));
  writeFileSync(join(dir, 'global.cedar'), GLOBAL_POLICIES.join('\n'));
  const engine = new PolicyEngine({ dir, uid: 1000, now: () => new Date() });
  const { policyCount, lastError } = engine.status();
  if (lastError || policyCount !== POLICY_COUNT) {
    throw new Error(`bench policies did not load (${policyCount}): ${lastError?.message ?? ''}`);
  }
  const inputs = Array.from({ length: 64 }, (_, i) =>
    whatIfInput(
      {
        agent: i % 8 === 0 ? 'unknown' : `agent-${(i * 7) % AGENT_POLICY_COUNT}`,
        credential: i % 5 === 0 ? 'prod-db' : `cred-${i % 10}`,
        type: ACTIONS[i % ACTIONS.length],
        groups: i % 3 === 0 ? ['platform', 'dev'] : ['dev'],
        repo: `git@github.com:acme/repo-${i % 10}.git`,
        cwd: `/home/dev/src/repo-${i % 10}`,
        idp: i % 4 === 0 ? 'oidc' : 'local',
        uid: 1000,
      },
      { uid: 1000, now: new Date() },
    ),
  );
  // Each decision a second after the one before, and every bucket reads the time (the
  // "access-ends" policy), so no two ask Cedar the same request: the engine remembers the answers
  // to identical ones (src/policy/decision-memo.ts), and this section measures Cedar deciding.
  const start = Date.now();
  const nth = (i: number) => ({
    ...(inputs[i % inputs.length] as (typeof inputs)[number]),
    time: new Date(start + i * 1000),
  });
  for (let i = 0; i < opts.warmup; i++) engine.decide(nth(opts.decisions + i));
  const samples: number[] = [];
  let allows = 0;
  for (let i = 0; i < opts.decisions; i++) {
    const input = nth(i);
    const start = opts.now();
    const decision = engine.decide(input);
    samples.push((opts.now() - start) * 1000);
    if (decision.decision === 'allow') allows += 1;
  }
  samples.sort((a, b) => a - b);
  return {
    policies: policyCount,
    decisions: opts.decisions,
    allows,
    p50Us: percentile(samples, 0.5),
    p99Us: percentile(samples, 0.99),
  };
}

function agentPolicies(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const action = ACTIONS[i % ACTIONS.length];
    return `@id("agent-${i}")
permit (principal == Agent::"agent-${i}", action == Action::"${action}", resource)
when {
  context.process has repo && context.process.repo like "*acme/repo-${i % 10}*" &&
  context.user.groups.contains("${i % 2 === 0 ? 'dev' : 'platform'}")
};`;
  });
}

function globalPolicies(): string[] {
  return [
    '@id("jwt-own-uid")\npermit (principal, action == Action::"jwt", resource) when { context.process.uid == 1000 };',
    '@id("forbid-unknown")\nforbid (principal == Agent::"unknown", action, resource);',
    '@id("prod-sso")\nforbid (principal, action, resource) when { resource.name like "prod-*" } unless { context.user.idp == "oidc" };',
    '@id("no-static-outside-session")\nforbid (principal, action == Action::"static", resource) unless { context has session };',
    '@id("no-mcp-without-mfa")\nforbid (principal, action == Action::"mcp", resource) unless { context.user.mfa };',
    '@id("access-ends")\nforbid (principal, action, resource) when { context.request.time >= 4102444800 };',
  ];
}
