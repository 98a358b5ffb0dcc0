/**
 * Who is calling: the first thing the daemon does with every request. Peer credentials from the
 * kernel, the uid check, attestation from /proc (fail closed), the exec session the process
 * belongs to, the agent its attestation matches, and the human. A refusal at any step is audited
 * here, with whatever was learned before it, and thrown with its code.
 */
import { type AgentMatch, resolveAgent, selectorFiles } from '../src/agents/index.js';
import { readExe } from '../src/attest/index.js';
import type { Attestation } from '../src/attest/types.js';
import { AgentIdError, toAgentIdError } from '../src/errors.js';
import type { PeerCredentials } from '../src/peer/index.js';
import type { HumanView, SessionView } from '../src/protocol/index.js';
import { membershipOf } from '../src/sessions/index.js';
import type { DaemonDeps } from './deps.js';
import { peerEvent, type RefusedPeer } from './peer-event.js';

export interface Caller {
  peer: PeerCredentials;
  attestation: Attestation;
  agent: AgentMatch;
  session: SessionView | null;
  human: HumanView;
}

/** Recorded when the kernel would not say who the peer is: uid -1 is never a real caller. */
const unreadablePeer: PeerCredentials = { pid: 0, uid: -1, gid: -1, pidfd: null };

export async function identify(
  deps: DaemonDeps,
  peer: PeerCredentials | AgentIdError,
  request: { action: string; path: string; elapsedMs: () => number; needsHuman?: boolean; manages?: boolean },
): Promise<Caller> {
  const refuse = (who: Caller | RefusedPeer, error: AgentIdError): never => {
    deps.audit.append(
      peerEvent(who, {
        action: request.action,
        decision: 'deny',
        resource: request.path.slice(0, 200),
        reason: error.message,
        errorCode: error.code,
        latencyMs: request.elapsedMs(),
      }),
    );
    throw error;
  };
  // Before attestation all we know of a refused peer is its credentials and, maybe, its exe.
  const unattested = (who: PeerCredentials): RefusedPeer => ({
    peer: who,
    exe: readExe(deps.procRoot, who.pid),
  });

  if (peer instanceof AgentIdError) return refuse({ peer: unreadablePeer, exe: null }, peer);
  if (peer.uid !== deps.uid) {
    return refuse(
      unattested(peer),
      new AgentIdError(
        'ERR_PEER_UID',
        `refused: the caller runs as uid ${peer.uid}, this daemon serves only uid ${deps.uid}`,
      ),
    );
  }
  let attestation: Attestation;
  try {
    attestation = await deps.attestor.attest(peer);
  } catch (err) {
    return refuse(unattested(peer), toAgentIdError(err));
  }
  const caller: Caller = { peer, ...describe(deps, attestation) };
  if (request.manages && caller.session) {
    return refuse(
      caller,
      new AgentIdError(
        'ERR_SESSION_MANAGEMENT',
        `refused inside agent session ${caller.session.id} (agent ${caller.agent.name}): ` +
          'managing agentid (secrets, keys, the daemon) is for your own shell, outside agentid exec',
      ),
    );
  }
  if (request.needsHuman) {
    // Also inside an exec session: a revoked SSO login ends what its sessions may do.
    try {
      const human = await deps.humans.require();
      if (!caller.session) caller.human = human;
    } catch (err) {
      return refuse(caller, toAgentIdError(err));
    }
  }
  return caller;
}

/** Session, agent and human of an attested process. */
export function describe(deps: DaemonDeps, attestation: Attestation): Omit<Caller, 'peer'> {
  const member = membershipOf(deps.sessions, attestation);
  const session = member && { ...member.session, membership: member.membership, sandboxed: member.sandboxed };
  const agent = resolveAgent(deps.config.agents, {
    attestation,
    session: session && { id: session.id, agent: session.agent, membership: session.membership },
    files: selectorFiles(deps.config.agents),
  });
  return { attestation, agent, session, human: session?.human ?? deps.humans.peek() };
}
