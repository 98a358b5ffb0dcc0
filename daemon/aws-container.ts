/**
 * `agentid exec --aws NAME`: per session, a loopback HTTP endpoint speaking the AWS container
 * credentials protocol (AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN),
 * which every AWS SDK and the CLI already consume. Three locks, each enough to refuse: the random
 * per-session token (compared in constant time), the TCP peer's process found through /proc and
 * attested, which must belong to the session (src/sessions: its sandbox, or below its root; a
 * copied URL and token are useless outside the session), and policy plus audit per credential, exactly as on the socket (daemon/issue.ts).
 * The endpoint closes with its session.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Attestation } from '../src/attest/index.js';
import { AgentIdError, toAgentIdError } from '../src/errors.js';
import type { AwsContainerResponse } from '../src/protocol/index.js';
import { membershipOf, type SessionRecord } from '../src/sessions/index.js';
import { wasAudited } from './audited.js';
import { issueAws } from './aws-issue.js';
import type { DaemonDeps } from './deps.js';
import { type Caller, describe } from './identify.js';
import { peerEvent, type RefusedPeer } from './peer-event.js';
import type { RouteContext } from './route.js';
import { findTcpOwner, holdsSocket } from './tcp-owner.js';

const CONTAINER_PATH = '/agentid/aws/credentials';
const ACTION = 'aws.container';
/** Bounds of the loopback server: SDKs send one small GET and maybe keep the connection. */
const LIMITS = { maxConnections: 32, maxHeaderSize: 8192, headersTimeoutMs: 5_000, requestTimeoutMs: 30_000 };

interface Endpoint {
  server: Server;
  /** sha256 of the token: compared in constant time, and the token itself is not kept. */
  tokenDigest: Buffer;
}

export class AwsContainerEndpoints {
  readonly #deps: DaemonDeps;
  readonly #randomBytes: (size: number) => Buffer;
  readonly #open = new Map<string, Endpoint>();

  constructor(deps: DaemonDeps, randomBytes: (size: number) => Buffer) {
    this.#deps = deps;
    this.#randomBytes = randomBytes;
  }

  /** Starts the session's endpoint serving `credential`; one per session. */
  async open(session: SessionRecord, credential: string, region: string): Promise<AwsContainerResponse> {
    if (this.#open.has(session.id)) {
      throw new AgentIdError('ERR_SESSION_INVALID', `session ${session.id} already has an AWS endpoint`);
    }
    const token = this.#randomBytes(32).toString('base64url');
    const server = createServer({
      maxHeaderSize: LIMITS.maxHeaderSize,
      headersTimeout: LIMITS.headersTimeoutMs,
      requestTimeout: LIMITS.requestTimeoutMs,
    });
    server.maxConnections = LIMITS.maxConnections;
    const endpoint: Endpoint = { server, tokenDigest: digest(token) };
    server.on('request', (req, res) => {
      void this.#serve(session, credential, endpoint, req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#open.set(session.id, endpoint);
    const { port } = server.address() as AddressInfo;
    return { uri: `http://127.0.0.1:${port}${CONTAINER_PATH}`, token, region };
  }

  close(sessionId: string): void {
    const endpoint = this.#open.get(sessionId);
    if (!endpoint) return;
    this.#open.delete(sessionId);
    // New connections are refused from now on; a request in flight gets its answer (a refusal,
    // see #serve) rather than a reset, and idle keep-alive connections go at once.
    endpoint.server.close();
    endpoint.server.closeIdleConnections();
  }

  closeAll(): void {
    for (const id of [...this.#open.keys()]) this.close(id);
  }

  async #serve(
    session: SessionRecord,
    credential: string,
    endpoint: Endpoint,
    req: IncomingMessage,
    res: ServerResponse,
  ) {
    const deps = this.#deps;
    const started = deps.monotonicMs();
    const elapsedMs = () => Math.round((deps.monotonicMs() - started) * 1000) / 1000;
    let who: Caller | RefusedPeer = { peer: { pid: 0, uid: -1, gid: -1, pidfd: null }, exe: null };
    try {
      const peer = await this.#peer(endpoint, req);
      who = peer.who;
      const refuse = (reason: string): never => {
        throw new AgentIdError('ERR_AWS_CONTAINER_DENIED', `refused: ${reason}`);
      };
      if (req.method !== 'GET' || req.url?.split('?', 1)[0] !== CONTAINER_PATH) {
        refuse(`only GET ${CONTAINER_PATH} is served here`);
      }
      if (!tokenMatches(endpoint.tokenDigest, req.headers.authorization)) {
        refuse('the authorization token is missing or wrong');
      }
      if (this.#open.get(session.id) !== endpoint) refuse(`session ${session.id} has ended`);
      if (!deps.processAlive(session.rootPid, session.rootStartTime)) {
        // The exec wrapper died without ending its session: the session, and this endpoint, go.
        deps.sessions.remove(session.id);
        refuse(`session ${session.id} has ended`);
      }
      if (!('attestation' in who) || peer.others.includes(null)) {
        return refuse('the connecting process could not be attested');
      }
      for (const member of [who.attestation, ...peer.others]) {
        if (member && !this.#inSession(member, session)) {
          refuse(`process ${member.pid} (${member.exe}) is not part of session ${session.id}`);
        }
      }
      const ctx: RouteContext = { ...who, params: { credential }, body: undefined, elapsedMs };
      const issued = await issueAws(deps, ctx, credential);
      send(res, 200, {
        AccessKeyId: issued.value.accessKeyId,
        SecretAccessKey: issued.value.secretAccessKey,
        Token: issued.value.sessionToken,
        Expiration: issued.expiresAt.toISOString(),
      });
    } catch (err) {
      const error = toAgentIdError(err);
      if (!wasAudited(err)) {
        deps.audit.append(
          peerEvent(who, {
            action: ACTION,
            decision: error.code === 'ERR_AWS_CONTAINER_DENIED' ? 'deny' : 'error',
            resource: credential,
            reason: error.message,
            errorCode: error.code,
            latencyMs: elapsedMs(),
          }),
        );
      }
      if (error.code === 'ERR_INTERNAL') deps.log.error(`aws container endpoint: ${error.message}`);
      send(res, error.status, { code: error.code, message: error.message });
    }
  }

  /** The process belongs to the session (its sandbox, or below its root), or to one started inside it. */
  #inSession(attestation: Attestation, session: SessionRecord): boolean {
    const member = membershipOf(this.#deps.sessions, attestation);
    return member !== null && this.#deps.sessions.within(member.session, session);
  }

  /**
   * The attested process on the other end, pinned: it still holds the socket after the /proc
   * reads, so the pid was not reused in between. `others` are further holders of the socket (a
   * fork shares it), null where they could not be attested. Falls back to what is known, for the
   * audit row.
   */
  async #peer(
    endpoint: Endpoint,
    req: IncomingMessage,
  ): Promise<{ who: Caller | RefusedPeer; others: (Attestation | null)[] }> {
    const deps = this.#deps;
    const serverPort = (endpoint.server.address() as AddressInfo).port;
    const owner = findTcpOwner(deps.procRoot, req.socket.remotePort ?? 0, serverPort);
    const pid = owner?.pids[0];
    const unknown = {
      who: { peer: { pid: pid ?? 0, uid: owner?.uid ?? -1, gid: -1, pidfd: null }, exe: null },
      others: [],
    };
    if (!owner || pid === undefined || owner.uid !== deps.uid) return unknown;
    let attestation: Attestation;
    try {
      attestation = await deps.attestor.attestPid(pid);
    } catch {
      return unknown;
    }
    if (!holdsSocket(deps.procRoot, pid, owner.inode) || attestation.uid !== deps.uid) return unknown;
    const others = await Promise.all(
      owner.pids.slice(1).map((p) =>
        deps.attestor.attestPid(p).then(
          (a) => (a.uid === deps.uid ? a : null),
          () => null,
        ),
      ),
    );
    const who: Caller = {
      peer: { pid, uid: attestation.uid, gid: attestation.gid, pidfd: null },
      ...describe(deps, attestation),
    };
    return { who, others };
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function tokenMatches(expected: Buffer, presented: string | undefined): boolean {
  return presented !== undefined && timingSafeEqual(expected, digest(presented));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}
