/**
 * A decision ahead of the requests, for `agentid exec --aws/--git`: the credential is asked for
 * later by some process of the session (the AWS SDK, git's helper), whose attributes and request
 * (repo, path, exe, time, ...) are not known when the session starts. Cedar's partial evaluation
 * decides with those left unknown: `deny` only when no permit can apply whatever they turn out to
 * be, or a forbid applies regardless of them (or fails to evaluate on what is known: it denies
 * later too). Anything else may be permitted, and every later request is decided in full again.
 * The agent is one of the candidates the session's processes may be named (src/agents
 * sessionAgents): deny only when every candidate is denied. Known: the agent candidate, the
 * action and credential, the human, that the caller is in an exec session.
 */
import { type Context, isAuthorizedPartial } from '@cedar-policy/cedar-wasm/nodejs';
import { AgentIdError } from '../errors.js';
import type { LoadedPolicy } from './load.js';
import { buildCedarRequest } from './request.js';
import type { PolicyDecision, PolicyInput } from './types.js';

export interface AheadInput {
  /** Every agent the session's processes may be named; at least one. */
  agents: readonly PolicyInput['agent'][];
  human: PolicyInput['human'];
  credential: PolicyInput['credential'];
}

const unknown = (name: string) => ({ __extn: { fn: 'unknown', arg: name } });

/** Process and request unknown, session known to exist (its id not: a nested one may ask). */
function aheadRequest(agent: PolicyInput['agent'], input: AheadInput) {
  const full = buildCedarRequest({
    agent,
    human: input.human,
    credential: input.credential,
    process: { pid: 0, uid: 0, exe: '', sha256: null, cwd: null, repo: null, ancestors: [] },
    session: { id: '', via: 'exec' },
    request: {},
    time: new Date(0),
  });
  const context = {
    ...full.context,
    process: unknown('process'),
    session: { id: unknown('session.id'), via: 'exec' },
    request: unknown('request'),
  } as unknown as Context;
  return { ...full, context };
}

export function decideAhead(policies: readonly LoadedPolicy[], input: AheadInput): PolicyDecision {
  const forbids = new Set(policies.filter((p) => p.effect === 'forbid').map((p) => p.id));
  const staticPolicies = Object.fromEntries(policies.map((p) => [p.id, p.text]));
  const target = (agent: string) =>
    `${input.credential.type} on Credential::${JSON.stringify(input.credential.name)} for Agent::${JSON.stringify(agent)}`;
  const denials: { agent: string; forbids: string[] }[] = [];
  for (const agent of input.agents) {
    const request = aheadRequest(agent, input);
    const answer = isAuthorizedPartial({
      principal: request.principal,
      action: request.action,
      resource: request.resource,
      context: request.context,
      entities: request.entities,
      policies: { staticPolicies },
    });
    if (answer.type === 'failure') {
      throw new AgentIdError(
        'ERR_POLICY_EVALUATION',
        `the pre-check for ${target(agent.name)} is invalid: ${answer.errors.map((e) => e.message).join('; ')}`,
      );
    }
    const { response } = answer;
    const deciding = [...response.satisfied, ...response.errored].filter((id) => forbids.has(id)).sort();
    if (response.decision === 'deny' || deciding.length > 0) {
      denials.push({ agent: agent.name, forbids: deciding });
      continue;
    }
    const maybe = response.mayBeDetermining.filter((id) => !forbids.has(id)).sort();
    return {
      decision: 'allow',
      policyIds: maybe,
      reason: `may be permitted by ${maybe.join(', ') || 'a policy'} (for Agent::${JSON.stringify(agent.name)}; decided in full on each request)`,
      errors: [],
    };
  }
  const policyIds = [...new Set(denials.flatMap((d) => d.forbids))].sort();
  const why = denials.map((d) =>
    d.forbids.length > 0
      ? `forbidden by ${d.forbids.join(', ')} whatever the request (${target(d.agent)})`
      : `no policy can permit ${target(d.agent)}`,
  );
  return { decision: 'deny', policyIds, reason: why.join('; '), errors: [] };
}
