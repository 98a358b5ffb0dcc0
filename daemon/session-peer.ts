/**
 * The peer of a per-session loopback endpoint (the AWS container endpoint; the HTTP gateway of
 * exec sessions, per connection: gateway/connection-peer.ts): the process on the other end of the TCP connection. TCP has no
 * peer credentials: the kernel named the owner's uid and the socket's inode at accept (the front
 * door refused other uids there), and the process holding the socket is found by its fds. Costly
 * work comes last and only for a request worth it: the front door's `gate` (method, path, token)
 * refuses first, then the holder is looked for among the processes that asked before (an SDK asks
 * again from the same process), then among the session's processes (its process tree: a read of
 * every process's stat, tens of ms on a busy machine), and among all processes only when none of
 * them holds it, so the refusal names who did. How a holder was found proves nothing: it is
 * attested and its ancestry checked either way. The
 * holder is attested by pid and pinned by still holding the socket after the /proc reads (so the
 * pid was not reused in between), and admitted only while its session lives and only if every
 * holder found (a fork shares the socket) belongs to that session. A socket a session process
 * passed to an outside process is not seen while the session process still holds it too; that
 * process could as well relay for the outsider.
 */
import { type Attestation, allPids, processTree } from '../src/attest/index.js';
import type { AgentIdError } from '../src/errors.js';
import { holdsSocket, socketHolders, type TcpSocketOwner } from '../src/peer/index.js';
import { inSession, type Session } from '../src/sessions/index.js';
import type { DaemonDeps } from './deps.js';
import type { Peer } from './identify.js';

export interface LoopbackConnection {
  /** The kernel's owner of the client end, read at accept: the uid, and the inode its holders hold. */
  owner: TcpSocketOwner;
  /** Pids of the session that held an admitted connection before, newest last; kept by the endpoint. */
  askedBefore: number[];
}

/** How many earlier askers an endpoint remembers. */
const ASKED_BEFORE_MAX = 32;

/** `gate` throws the endpoint's refusal of a request it serves to nobody; `refuse` codes a reason. */
export function sessionPeer(
  deps: DaemonDeps,
  connection: LoopbackConnection,
  session: Session,
  gate: () => void,
  refuse: (reason: string) => AgentIdError,
): Peer {
  const { inode, uid } = connection.owner;
  const unattested = () => refuse('the connecting process could not be attested');
  // Further holders of the socket, attested along with the peer, for the session check.
  let sharers: Attestation[] = [];
  return {
    // A TCP connection tells its owner's uid; the pid is learned in attest().
    credentials: { pid: 0, uid, gid: -1, pidfd: null },
    async attest() {
      gate();
      const [pid, ...others] = holders(deps.procRoot, inode, session, connection.askedBefore);
      if (pid === undefined) throw unattested();
      const attestation = await deps.attestor.attestPid(pid).catch(() => {
        throw unattested();
      });
      if (!holdsSocket(deps.procRoot, pid, inode) || attestation.uid !== deps.uid) throw unattested();
      const attested = await Promise.all(
        others.map((p) =>
          deps.attestor.attestPid(p).then(
            (a) => (a.uid === deps.uid ? a : null),
            () => null,
          ),
        ),
      );
      if (attested.includes(null)) throw unattested();
      sharers = attested as Attestation[];
      return { peer: { pid, uid: attestation.uid, gid: attestation.gid, pidfd: null }, attestation };
    },
    admit(caller) {
      if (!deps.processAlive(session.rootPid, session.rootStartTime)) {
        // The exec wrapper died without ending its session: the session, and its endpoints, go.
        deps.sessions.remove(session.id);
        throw refuse(`session ${session.id} has ended`);
      }
      for (const member of [caller.attestation, ...sharers]) {
        if (!inSession(member, session)) {
          throw refuse(`process ${member.pid} (${member.exe}) is not part of session ${session.id}`);
        }
      }
      remember(connection.askedBefore, caller.attestation.pid);
    },
  };
}

/** The holders of the socket among earlier askers; failing that, in the session's tree; failing that, anywhere. */
function holders(
  procRoot: string,
  inode: number,
  session: Session,
  askedBefore: readonly number[],
): number[] {
  const searches = [
    () => [...askedBefore].reverse(),
    () => processTree(procRoot, session.rootPid, session.rootStartTime),
    () => allPids(procRoot),
  ];
  for (const candidates of searches) {
    const found = socketHolders(procRoot, inode, candidates());
    if (found.length > 0) return found;
  }
  return [];
}

function remember(askedBefore: number[], pid: number): void {
  const at = askedBefore.indexOf(pid);
  if (at >= 0) askedBefore.splice(at, 1);
  askedBefore.push(pid);
  if (askedBefore.length > ASKED_BEFORE_MAX) askedBefore.shift();
}
