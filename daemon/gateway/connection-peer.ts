/**
 * The peer of a gateway connection, attested once per TCP connection and reused by every request
 * on it (keep-alive, and all requests inside one CONNECT tunnel). Finding a TCP socket's owner
 * means reading every process's fds (tens of milliseconds on a busy machine), which a per-request
 * gateway cannot pay. Reusing it is sound for this threat model: once a session member holds the
 * connection, another process can only write on it if a member handed it the fd (SCM_RIGHTS) or
 * forked it (a descendant, so a member too), and a member that relays for an outsider could relay
 * the bytes itself. What is re-checked per request is cheap and can change: that the session still
 * lives (`admit`), then agent, human and policy, as for every request.
 */
import type { Socket } from 'node:net';
import { AgentIdError } from '../../src/errors.js';
import { loopbackClientOwner } from '../../src/peer/index.js';
import type { Session } from '../../src/sessions/index.js';
import type { DaemonDeps } from '../deps.js';
import type { Peer } from '../identify.js';
import { sessionPeer } from '../session-peer.js';

export class ConnectionPeers {
  readonly #deps: DaemonDeps;
  readonly #session: Session;
  readonly #refuse: (reason: string) => AgentIdError;
  readonly #peers = new WeakMap<Socket, Peer>();
  /** Pids of the session that held a gateway connection before: where its next holder is looked for first. */
  readonly #askedBefore: number[] = [];

  constructor(deps: DaemonDeps, session: Session, refuse: (reason: string) => AgentIdError) {
    this.#deps = deps;
    this.#session = session;
    this.#refuse = refuse;
  }

  /** The peer of the TCP connection `socket` (the one accepted on the gateway's port). */
  of(socket: Socket, serverPort: number): Peer {
    let peer = this.#peers.get(socket);
    if (!peer) {
      // The kernel names the client end's uid and inode (sock_diag); another uid is refused by
      // identify on that uid, before any /proc read.
      const owner = loopbackClientOwner(socket.remotePort ?? 0, serverPort);
      if (!owner) {
        peer = {
          credentials: new AgentIdError('ERR_PEER_CREDENTIALS', 'the owner of the connection was not found'),
          attest: () => Promise.reject(this.#refuse('the connecting process could not be attested')),
        };
        this.#peers.set(socket, peer);
        return peer;
      }
      // Routes and hosts are checked by the gateway itself, per request, after identification.
      const noGate = () => {};
      const connection = { owner, askedBefore: this.#askedBefore };
      const base = sessionPeer(this.#deps, connection, this.#session, noGate, this.#refuse);
      let attested: ReturnType<Peer['attest']> | undefined;
      peer = {
        credentials: base.credentials,
        attest: (credentials) => {
          attested ??= base.attest(credentials);
          return attested;
        },
        ...(base.admit ? { admit: base.admit } : {}),
      };
      this.#peers.set(socket, peer);
    }
    return peer;
  }
}
