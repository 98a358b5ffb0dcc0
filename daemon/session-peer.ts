/**
 * The peer of a per-session loopback endpoint (the AWS container endpoint; the HTTP gateway of
 * exec sessions, per connection: gateway/connection-peer.ts): the process on the other end of the TCP connection, found
 * through /proc (src/peer/tcp.ts) and attested by pid, since TCP has no peer credentials. It is
 * pinned by still holding the socket after the /proc reads (so the pid was not reused in between),
 * and admitted only while its session lives and only if every process holding the connection (a
 * fork shares it) belongs to that session: a copied URL and token are useless outside it.
 */
import type { Attestation } from '../src/attest/index.js';
import type { AgentIdError } from '../src/errors.js';
import { findTcpOwner, holdsSocket } from '../src/peer/index.js';
import { inSession, type Session } from '../src/sessions/index.js';
import type { DaemonDeps } from './deps.js';
import type { Peer } from './identify.js';

export interface LoopbackConnection {
  /** The client's port: the remote port of the accepted socket. */
  clientPort: number;
  /** The endpoint's own listening port. */
  serverPort: number;
}

/** `refuse` turns a reason into the endpoint's own coded refusal. */
export function sessionPeer(
  deps: DaemonDeps,
  connection: LoopbackConnection,
  session: Session,
  refuse: (reason: string) => AgentIdError,
): Peer {
  const owner = findTcpOwner(deps.procRoot, connection.clientPort, connection.serverPort);
  const pid = owner?.pids[0];
  const unattested = () => refuse('the connecting process could not be attested');
  // Further holders of the socket, attested along with the peer, for the session check.
  let sharers: Attestation[] = [];
  return {
    credentials: owner && pid !== undefined ? { pid, uid: owner.uid, gid: -1, pidfd: null } : unattested(),
    async attest(credentials) {
      const attestation = await deps.attestor.attestPid(credentials.pid).catch(() => {
        throw unattested();
      });
      if (
        !owner ||
        !holdsSocket(deps.procRoot, credentials.pid, owner.inode) ||
        attestation.uid !== deps.uid
      ) {
        throw unattested();
      }
      const others = await Promise.all(
        owner.pids.slice(1).map((p) =>
          deps.attestor.attestPid(p).then(
            (a) => (a.uid === deps.uid ? a : null),
            () => null,
          ),
        ),
      );
      if (others.includes(null)) throw unattested();
      sharers = others as Attestation[];
      return { peer: { ...credentials, gid: attestation.gid }, attestation };
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
    },
  };
}
