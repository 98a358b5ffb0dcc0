/**
 * The policy gate of every credential route: the caller (attested agent, human, exec session)
 * and the credential asked for become a policy input, the engine decides, and a deny is audited
 * here (decision, determining policies, reason) and thrown as ERR_POLICY_DENIED with the reason
 * the user needs. An allow is returned: the route audits it with the credential it issued.
 */
import { sessionAgents } from '../src/agents/index.js';
import { AgentIdError } from '../src/errors.js';
import type { PolicyAction, PolicyDecision, PolicyInput } from '../src/policy/index.js';
import { markAudited } from './audited.js';
import type { DaemonDeps } from './deps.js';
import type { Caller } from './identify.js';
import { peerEvent } from './peer-event.js';
import type { Session } from './sessions.js';

export function authorize(
  deps: DaemonDeps,
  caller: Caller & { elapsedMs?: () => number },
  credential: { name: string; type: PolicyAction },
  request: Record<string, string | undefined>,
): PolicyDecision {
  const decision = deps.policy.decide(policyInput(caller, credential, request, deps.now()));
  if (decision.decision === 'allow') return decision;
  return refuse(deps, caller, credential, decision, '');
}

/**
 * `agentid exec --aws/--git`: whether the session's later requests for the credential can be
 * permitted at all, decided now with what they will carry left unknown (src/policy/ahead.ts), for
 * every agent the session's processes may be named. A deny is audited and thrown as above, so the
 * command is never started; an allow is no grant: each later request is decided in full.
 */
export function authorizeAhead(
  deps: DaemonDeps,
  caller: Caller & { elapsedMs?: () => number },
  session: Session,
  credential: { name: string; type: PolicyAction },
): PolicyDecision {
  const decision = deps.policy.decideAhead({
    agents: sessionAgents(deps.config.agents, session.agent, deps.uid),
    human: session.human,
    credential,
  });
  if (decision.decision === 'allow') return decision;
  return refuse(deps, caller, credential, decision, 'before starting the command: ');
}

function refuse(
  deps: DaemonDeps,
  caller: Caller & { elapsedMs?: () => number },
  credential: { name: string; type: PolicyAction },
  decision: PolicyDecision,
  when: string,
): never {
  deps.audit.append(
    peerEvent(caller, {
      action: credential.type,
      decision: 'deny',
      resource: credential.name,
      reason: `${when}${decision.reason}`,
      policyIds: decision.policyIds,
      errorCode: 'ERR_POLICY_DENIED',
      latencyMs: caller.elapsedMs?.() ?? 0,
    }),
  );
  const why = `agentid policy explain --agent ${caller.agent.name} --credential ${credential.name} --type ${credential.type}`;
  throw markAudited(
    new AgentIdError('ERR_POLICY_DENIED', `denied by policy: ${when}${decision.reason} (see why: ${why})`),
  );
}

export function policyInput(
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
