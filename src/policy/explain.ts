/**
 * What-if explanations for `agentid policy explain`: beyond the decision, for a deny the permit
 * that came closest and which of its parts failed. Cedar reports only the policies that decided,
 * so each part of each permit (its principal, action and resource scope, each `&&` conjunct of a
 * `when`, each `unless`) is evaluated on its own against the same request. Slow (the schema is
 * parsed per call) and meant for people, never for the request path.
 */
import {
  type Clause,
  type EntityUidJson,
  type Expr,
  isAuthorized,
  type PolicyJson,
  policyToText,
} from '@cedar-policy/cedar-wasm/nodejs';
import type { LoadedPolicy } from './load.js';
import { buildCedarRequest, type CedarRequest } from './request.js';
import { POLICY_SCHEMA } from './schema.js';
import type { PolicyDecision, PolicyInput } from './types.js';

export interface FailedPart {
  /** Which part of the policy: its scope (principal, action, resource) or a condition. */
  part: 'principal' | 'action' | 'resource' | 'when' | 'unless';
  /** The part as Cedar text, e.g. `context.user.groups.contains("platform")`. */
  text: string;
  /** When the part could not be evaluated (e.g. an attribute the request lacks). */
  error: string | null;
}

export interface PermitCandidate {
  id: string;
  file: string;
  line: number;
  /** Empty when the permit held and a forbid overrode it. */
  failed: FailedPart[];
}

export interface Explanation {
  decision: PolicyDecision;
  /** The policies that decided, with where they are written. */
  determining: { id: string; file: string; line: number; effect: 'permit' | 'forbid' }[];
  /** For a deny: the permit with the fewest failed parts (scope failures weigh most; see WEIGHT). */
  closestPermit: PermitCandidate | null;
}

const ALL = { op: 'All' } as const;

/** A permit for another action is furthest off; another agent or credential next; then conditions. */
const WEIGHT: Record<FailedPart['part'], number> = {
  action: 1000,
  principal: 100,
  resource: 100,
  when: 1,
  unless: 1,
};

export function explainDecision(
  policies: readonly LoadedPolicy[],
  input: PolicyInput,
  decision: PolicyDecision,
): Explanation {
  const request = buildCedarRequest(input);
  const byId = new Map(policies.map((p) => [p.id, p]));
  const determining = decision.policyIds.flatMap((id) => {
    const p = byId.get(id);
    return p ? [{ id, file: p.file, line: p.line, effect: p.effect }] : [];
  });
  if (decision.decision === 'allow') return { decision, determining, closestPermit: null };
  let closest: { candidate: PermitCandidate; score: number } | null = null;
  for (const policy of policies) {
    if (policy.effect !== 'permit') continue;
    const failed = failedParts(policy.json, request);
    const score = failed.reduce((sum, f) => sum + WEIGHT[f.part], 0);
    if (closest === null || score < closest.score) {
      closest = { candidate: { id: policy.id, file: policy.file, line: policy.line, failed }, score };
    }
  }
  return { decision, determining, closestPermit: closest?.candidate ?? null };
}

function failedParts(policy: PolicyJson, request: CedarRequest): FailedPart[] {
  const failed: FailedPart[] = [];
  for (const part of ['principal', 'action', 'resource'] as const) {
    if (policy[part].op === 'All') continue;
    const result = evaluate(request, { [part]: policy[part], conditions: [] });
    if (!result.holds) failed.push({ part, text: scopeText(part, policy), error: result.error });
  }
  for (const clause of policy.conditions) {
    const exprs = clause.kind === 'when' ? conjuncts(clause.body) : [clause.body];
    for (const body of exprs) {
      const result = evaluate(request, { conditions: [{ kind: 'when', body }] });
      // A `when` part fails when it is false; an `unless` part when it is true.
      const fails = result.error !== null || (clause.kind === 'when' ? !result.holds : result.holds);
      if (fails) failed.push({ part: clause.kind, text: exprText(body), error: result.error });
    }
  }
  return failed;
}

/** `a && b && c` as [a, b, c]: Cedar parses && left-nested. */
function conjuncts(expr: Expr): Expr[] {
  if ('&&' in expr && expr['&&'] && typeof expr['&&'] === 'object' && 'left' in expr['&&']) {
    const { left, right } = expr['&&'] as { left: Expr; right: Expr };
    return [...conjuncts(left), ...conjuncts(right)];
  }
  return [expr];
}

function evaluate(
  request: CedarRequest,
  parts: Partial<Pick<PolicyJson, 'principal' | 'action' | 'resource'>> & { conditions: Clause[] },
): { holds: boolean; error: string | null } {
  const policy: PolicyJson = { effect: 'permit', principal: ALL, action: ALL, resource: ALL, ...parts };
  const answer = isAuthorized({
    ...request,
    schema: POLICY_SCHEMA,
    validateRequest: true,
    policies: { staticPolicies: { part: policy } },
  });
  if (answer.type === 'failure')
    return { holds: false, error: answer.errors.map((e) => e.message).join('; ') };
  const error = answer.response.diagnostics.errors[0]?.error.message ?? null;
  return { holds: answer.response.decision === 'allow', error };
}

function exprText(body: Expr): string {
  const answer = policyToText({
    effect: 'permit',
    principal: ALL,
    action: ALL,
    resource: ALL,
    conditions: [{ kind: 'when', body }],
  });
  if (answer.type === 'failure') return JSON.stringify(body);
  return /when\s*\{\s*([\s\S]*?)\s*\};?\s*$/.exec(answer.text)?.[1] ?? answer.text;
}

function scopeText(part: 'principal' | 'action' | 'resource', policy: PolicyJson): string {
  const scope = policy[part] as {
    op: string;
    entity?: EntityUidJson;
    entities?: EntityUidJson[];
    entity_type?: string;
    in?: { entity?: EntityUidJson };
  };
  if (scope.entities) return `${part} in [${scope.entities.map(uidText).join(', ')}]`;
  if (scope.op === 'is') {
    return `${part} is ${scope.entity_type}${scope.in?.entity ? ` in ${uidText(scope.in.entity)}` : ''}`;
  }
  return scope.entity ? `${part} ${scope.op} ${uidText(scope.entity)}` : `${part} ${scope.op}`;
}

function uidText(uid: EntityUidJson): string {
  const { type, id } = '__entity' in uid ? uid.__entity : uid;
  return `${type}::${JSON.stringify(id)}`;
}
