/**
 * The policy gate of every decision the daemon makes for a caller: credentials, MCP calls and
 * MCP listings alike. The caller (attested agent, human, exec session) and what it asks for
 * become a policy input and the engine decides. `requireAllowed` is the credential routes' form:
 * a deny is thrown as ERR_POLICY_DENIED carrying its audit facts (decision, determining
 * policies, reason) and the step the user needs; an allow is returned for the route's own row.
 */
import { sessionAgents } from '../src/agents/index.js';
import type { PolicyAction, PolicyDecision, PolicyInput } from '../src/policy/index.js';
import type { Session } from '../src/sessions/index.js';
import type { DaemonDeps } from './deps.js';
import type { Caller } from './identify.js';
import { DecidedError } from './outcome.js';

export function authorize(
  deps: DaemonDeps,
  caller: Caller,
  resource: PolicyInput['credential'],
  request: PolicyInput['request'],
  time: Date = deps.now(),
): PolicyDecision {
  return deps.policy.decide(policyInput(caller, resource, request, time));
}

export function requireAllowed(
  deps: DaemonDeps,
  caller: Caller,
  credential: PolicyInput['credential'],
  request: PolicyInput['request'],
): PolicyDecision {
  const decision = authorize(deps, caller, credential, request);
  if (decision.decision === 'allow') return decision;
  throw denied(caller, credential, decision, '');
}

/**
 * `agentid exec --aws/--git`: whether the session's later requests for the credential can be
 * permitted at all, decided now with what they will carry left unknown (src/policy/ahead.ts), for
 * every agent the session's processes may be named. A deny is thrown as above, so the command is
 * never started; an allow grants nothing: each later request is decided in full.
 */
export function requireAllowedAhead(
  deps: DaemonDeps,
  caller: Caller,
  session: Session,
  credential: { name: string; type: PolicyAction },
): PolicyDecision {
  const decision = deps.policy.decideAhead({
    agents: sessionAgents(deps.config.agents, session.agent, deps.uid),
    human: session.human,
    credential,
  });
  if (decision.decision === 'allow') return decision;
  throw denied(caller, credential, decision, 'before starting the command: ');
}

function denied(
  caller: Caller,
  credential: { name: string; type: PolicyAction },
  decision: PolicyDecision,
  when: string,
): DecidedError {
  const why = `agentid policy explain --agent ${caller.agent.name} --credential ${credential.name} --type ${credential.type}`;
  return new DecidedError(
    'ERR_POLICY_DENIED',
    `denied by policy: ${when}${decision.reason} (see why: ${why})`,
    {
      action: credential.type,
      decision: 'deny',
      resource: credential.name,
      reason: `${when}${decision.reason}`,
      policyIds: decision.policyIds,
    },
  );
}

function policyInput(
  caller: Caller,
  credential: PolicyInput['credential'],
  request: PolicyInput['request'],
  time: Date,
): PolicyInput {
  return {
    agent: caller.agent,
    process: caller.attestation,
    human: caller.human,
    session: caller.session ? { id: caller.session.id, via: 'exec' } : null,
    credential,
    request,
    time,
  };
}
