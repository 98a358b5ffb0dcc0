/**
 * Turns a validated set into what decisions run on: Cedar pre-parsed policy sets, one per
 * (action, agent) bucket. Cedar checks every policy of a set on every request, and the wasm
 * boundary makes that ~2 µs a policy; a policy whose scope names another action or agent can
 * never apply, so each bucket holds only the policies whose scope admits it. The decision and the
 * determining policies are the same as over the whole set: a policy left out would have failed
 * its scope before any condition ran (Agents have no parents, so `in` is `==`). Each bucket also
 * knows what its policies read of a request (reads.ts), and a decision sends Cedar only that.
 */
import {
  type ActionConstraint,
  type EntityUidJson,
  type PrincipalConstraint,
  preparsePolicySet,
} from '@cedar-policy/cedar-wasm/nodejs';
import type { LoadedPolicy } from './load.js';
import { type PolicyReads, policyReads } from './reads.js';
import { POLICY_ACTIONS } from './types.js';

const ANY_AGENT = '*';

export interface Bucket {
  /** The pre-parsed set to decide with. */
  setId: string;
  /** What its policies read of a request. */
  reads: PolicyReads;
}

export interface CompiledSet {
  /** The bucket to decide (action, agent) with. */
  bucketFor(action: string, agent: string): Bucket;
  /** Every pre-parsed set id this compile created. */
  ids: ReadonlySet<string>;
}

/**
 * Pre-parses the buckets under ids starting with `prefix`. Buckets with the same policies share
 * one pre-parsed set, so the count stays near the number of distinct scopes.
 */
export function compilePolicies(policies: readonly LoadedPolicy[], prefix: string): CompiledSet {
  const agents = new Set<string>([ANY_AGENT]);
  const scopes = policies.map((p) => {
    const agent = scopedAgent(p.json.principal);
    if (agent !== null) agents.add(agent);
    return { policy: p, agent, actions: scopedActions(p.json.action) };
  });

  const setByContent = new Map<string, Bucket>();
  const setByBucket = new Map<string, Bucket>();
  for (const action of POLICY_ACTIONS) {
    for (const agent of agents) {
      const members = scopes.filter(
        (s) => (s.agent === null || s.agent === agent) && (s.actions === null || s.actions.includes(action)),
      );
      const content = members.map((m) => m.policy.id).join('\n');
      let set = setByContent.get(content);
      if (set === undefined) {
        const id = `${prefix}${setByContent.size}`;
        const answer = preparsePolicySet(id, {
          staticPolicies: Object.fromEntries(members.map((m) => [m.policy.id, m.policy.text])),
        });
        if (answer.type === 'failure') {
          throw new Error(`a validated policy set did not pre-parse: ${answer.errors[0]?.message}`);
        }
        set = { setId: id, reads: policyReads(members.map((m) => m.policy.json)) };
        setByContent.set(content, set);
      }
      setByBucket.set(bucket(action, agent), set);
    }
  }
  return {
    bucketFor(action, agent) {
      const set = setByBucket.get(bucket(action, agent)) ?? setByBucket.get(bucket(action, ANY_AGENT));
      if (set === undefined) throw new Error(`no policy bucket for action ${action}`);
      return set;
    },
    ids: new Set([...setByContent.values()].map((set) => set.setId)),
  };
}

function bucket(action: string, agent: string): string {
  return `${action}\u0000${agent}`;
}

/** The Agent a principal scope names, or null when it admits any principal. */
function scopedAgent(scope: PrincipalConstraint): string | null {
  if ((scope.op === '==' || scope.op === 'in') && 'entity' in scope) {
    const uid = uidOf(scope.entity);
    if (uid.type === 'Agent') return uid.id;
  }
  return null;
}

/** The actions an action scope names, or null when it admits every action. */
function scopedActions(scope: ActionConstraint): string[] | null {
  if (scope.op === '==' && 'entity' in scope) return [uidOf(scope.entity).id];
  if (scope.op === 'in') {
    // There are no action groups in the schema, so `in` lists the actions themselves.
    return 'entities' in scope ? scope.entities.map((e) => uidOf(e).id) : [uidOf(scope.entity).id];
  }
  return null;
}

function uidOf(uid: EntityUidJson): { type: string; id: string } {
  return '__entity' in uid ? uid.__entity : uid;
}
