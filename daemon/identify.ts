/**
 * Who is calling: the first step of every request (daemon/pipeline.ts). The peer's credentials
 * from its front door, the uid check, attestation from /proc (fail closed), the exec session the
 * process belongs to, the agent its attestation matches, the checks of a per-session endpoint,
 * and the human. A refusal at any step comes back with whatever was learned before it, for the
 * audit row the pipeline writes.
 */
import { type AgentMatch, resolveAgent, selectorFiles } from '../src/agents/index.js';
import { type Attestation, readExe } from '../src/attest/index.js';
import { AgentIdError, toAgentIdError } from '../src/errors.js';
import type { PeerCredentials } from '../src/peer/index.js';
import type { HumanView, SessionView } from '../src/protocol/index.js';
import { membershipOf } from '../src/sessions/index.js';
import type { DaemonDeps } from './deps.js';

export interface Caller {
  peer: PeerCredentials;
  attestation: Attestation;
  agent: AgentMatch;
  session: SessionView | null;
  human: HumanView;
}

/** A peer refused before it was attested: all we know is its credentials and, maybe, its exe. */
export interface RefusedPeer {
  peer: PeerCredentials;
  exe: string | null;
}

/** As much as is known of whoever sent a request. */
export type Who = Caller | RefusedPeer;

/** The other end of a front door's connection. */
export interface Peer {
  /** What the kernel says of the peer, or why it could not say. */
  credentials: PeerCredentials | AgentIdError;
  /**
   * The peer's process, attested and pinned to the connection, with its credentials as pinned
   * (a TCP peer learns its gid only here). Throws a coded refusal when it cannot be.
   */
  attest(credentials: PeerCredentials): Promise<{ peer: PeerCredentials; attestation: Attestation }>;
  /** A per-session endpoint's own checks on the identified caller; throws a coded refusal. */
  admit?(caller: Caller): void;
  /** The connection has closed: frees what its attestations kept. */
  release?(): void;
}

/** What the handler asks of its caller (route.ts: humanOptional, manages). */
export interface Admission {
  needsHuman: boolean;
  manages: boolean;
}

export type Identified = { ok: true; caller: Caller } | { ok: false; who: Who; error: AgentIdError };

/** Recorded when the kernel would not say who the peer is: uid -1 is never a real caller. */
const unreadablePeer: PeerCredentials = { pid: 0, uid: -1, gid: -1, pidfd: null };

export async function identify(deps: DaemonDeps, peer: Peer, admission: Admission): Promise<Identified> {
  const refuse = (who: Who, err: unknown): Identified => ({ ok: false, who, error: toAgentIdError(err) });
  const { credentials } = peer;
  if (credentials instanceof AgentIdError) return refuse({ peer: unreadablePeer, exe: null }, credentials);
  // Before attestation all we know of a refused peer is its credentials and, maybe, its exe.
  const unattested = (): RefusedPeer => ({ peer: credentials, exe: readExe(deps.procRoot, credentials.pid) });
  if (credentials.uid !== deps.uid) {
    return refuse(
      unattested(),
      new AgentIdError(
        'ERR_PEER_UID',
        `refused: the caller runs as uid ${credentials.uid}, this daemon serves only uid ${deps.uid}`,
      ),
    );
  }
  let attested: Awaited<ReturnType<Peer['attest']>>;
  try {
    attested = await peer.attest(credentials);
  } catch (err) {
    return refuse(unattested(), err);
  }
  const caller: Caller = { peer: attested.peer, ...describe(deps, attested.attestation) };
  try {
    peer.admit?.(caller);
  } catch (err) {
    return refuse(caller, err);
  }
  if (admission.manages && caller.session) {
    return refuse(
      caller,
      new AgentIdError(
        'ERR_SESSION_MANAGEMENT',
        `refused inside agent session ${caller.session.id} (agent ${caller.agent.name}): ` +
          'managing agentid (secrets, keys, the daemon) is for your own shell, outside agentid exec',
      ),
    );
  }
  if (admission.needsHuman) {
    // Also inside an exec session: a revoked SSO login ends what its sessions may do.
    try {
      const human = await deps.humans.require();
      if (!caller.session) caller.human = human;
    } catch (err) {
      return refuse(caller, err);
    }
  }
  return { ok: true, caller };
}

/** Session (src/sessions: by sandbox, or ancestry), agent and human of an attested process. */
export function describe(deps: DaemonDeps, attestation: Attestation): Omit<Caller, 'peer'> {
  const member = membershipOf(deps.sessions, attestation);
  // Not `{ ...session, membership }`: a new hidden class per request (docs/architecture.md).
  const session =
    member &&
    Object.assign({}, member.session, { membership: member.membership, sandboxed: member.sandboxed });
  const agent = resolveAgent(deps.config.agents, {
    attestation,
    session: session && { id: session.id, agent: session.agent, membership: session.membership },
    files: selectorFiles(deps.config.agents, deps.fileIdentity),
  });
  return { attestation, agent, session, human: session?.human ?? deps.humans.peek() };
}
