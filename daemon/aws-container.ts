/**
 * `agentid exec --aws NAME`: per session, a loopback HTTP endpoint speaking the AWS container
 * credentials protocol (AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN),
 * which every AWS SDK and the CLI already consume. A front door of the pipeline (pipeline.ts),
 * like the socket. Three locks, each enough to refuse: the random per-session token (compared in
 * constant time), the TCP peer's process, attested, whose ancestry must reach the session root
 * (session-peer.ts), and policy plus audit per credential, exactly as on the socket (issue.ts).
 * The endpoint closes with its session.
 *
 * Loopback is open to every local user, so the endpoint must stay up for its session whoever
 * else connects. A connection from another uid is refused at accept, before it takes a slot: the
 * kernel names the owner of its 4-tuple (src/peer/tcp.ts), and such refusals are counted into one
 * audit row per uid per interval (refusal-tally.ts), never a row per connection. Connections of
 * the user's own uid share the slots (http-slots.ts): slow or idle ones make room for a newcomer.
 * A request is checked for path and token before any process is looked for.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { AgentIdError, toAgentIdError } from '../src/errors.js';
import { loopbackClientOwner, type TcpSocketOwner } from '../src/peer/index.js';
import type { AwsContainerResponse } from '../src/protocol/index.js';
import type { Session } from '../src/sessions/index.js';
import { issueAws } from './aws-issue.js';
import type { DaemonDeps } from './deps.js';
import { HttpSlots } from './http-slots.js';
import { DecidedError } from './outcome.js';
import { type Handler, serve } from './pipeline.js';
import type { RefusalTally } from './refusal-tally.js';
import { sessionPeer } from './session-peer.js';

const CONTAINER_PATH = '/agentid/aws/credentials';
const ACTION = 'aws.container';
/**
 * Bounds of the loopback server: SDKs send one small GET and maybe keep the connection. Past the
 * cap, a connection stuck in its request for `slowGraceMs` makes room; overflow places get a 503.
 */
const LIMITS = {
  maxConnections: 32,
  overflowConnections: 128,
  slowGraceMs: 500,
  maxHeaderSize: 8192,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 30_000,
  pressureLogIntervalMs: 10_000,
};

/** The container credentials JSON the AWS SDKs read. */
interface ContainerCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  Token: string;
  Expiration: string;
}

interface Endpoint {
  server: Server;
  /** sha256 of the token: compared in constant time, and the token itself is not kept. */
  tokenDigest: Buffer;
  /** Session processes that were served before: where the next asker is looked for first. */
  askedBefore: number[];
}

export class AwsContainerEndpoints {
  readonly #deps: DaemonDeps;
  readonly #randomBytes: (size: number) => Buffer;
  readonly #refusals: RefusalTally;
  readonly #open = new Map<string, Endpoint>();

  /** `refusals` counts the connections of other uids refused at accept. */
  constructor(deps: DaemonDeps, randomBytes: (size: number) => Buffer, refusals: RefusalTally) {
    this.#deps = deps;
    this.#randomBytes = randomBytes;
    this.#refusals = refusals;
  }

  /** Starts the session's endpoint serving `credential`; one per session. */
  async open(session: Session, credential: string, region: string): Promise<AwsContainerResponse> {
    if (this.#open.has(session.id)) {
      throw new AgentIdError('ERR_SESSION_INVALID', `session ${session.id} already has an AWS endpoint`);
    }
    const token = this.#randomBytes(32).toString('base64url');
    const server = createServer({
      maxHeaderSize: LIMITS.maxHeaderSize,
      headersTimeout: LIMITS.headersTimeoutMs,
      requestTimeout: LIMITS.requestTimeoutMs,
    });
    const endpoint: Endpoint = { server, tokenDigest: digest(token), askedBefore: [] };
    const slots = new HttpSlots({
      cap: LIMITS.maxConnections,
      overflowCap: LIMITS.overflowConnections,
      graceMs: LIMITS.slowGraceMs,
      now: this.#deps.monotonicMs,
      errorBody: (error) => error.toJSON(),
      warn: (line) => this.#deps.log.warn(`AWS endpoint of session ${session.id}: ${line}`),
      logIntervalMs: LIMITS.pressureLogIntervalMs,
    });
    const owners = new WeakMap<Socket, TcpSocketOwner>();
    server.on('connection', (socket: Socket) => {
      const owner = this.#ownerOf(socket, credential);
      if (owner && slots.connect(socket)) owners.set(socket, owner);
    });
    server.on('request', (req, res) => {
      const owner = owners.get(req.socket);
      const slot = slots.request(req, res, (error) => send(res, error.status, error.toJSON()));
      if (!owner || !slot) {
        if (!res.headersSent) req.socket.destroy();
        return;
      }
      void this.#serve(session, credential, endpoint, owner, req, res);
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
    // see #handler) rather than a reset, and idle keep-alive connections go at once.
    endpoint.server.close();
    endpoint.server.closeIdleConnections();
  }

  closeAll(): void {
    for (const id of [...this.#open.keys()]) this.close(id);
  }

  /**
   * The owner of a new connection when it is of the daemon's uid; any other connection is closed
   * here, before it takes a slot, and counted (not audited one by one).
   */
  #ownerOf(socket: Socket, credential: string): TcpSocketOwner | null {
    let owner: TcpSocketOwner | null = null;
    try {
      owner = loopbackClientOwner(socket.remotePort ?? 0, socket.localPort ?? 0);
    } catch (err) {
      this.#deps.log.error(
        `AWS endpoint: cannot look up a connection's owner: ${toAgentIdError(err).message}`,
      );
    }
    if (owner?.uid === this.#deps.uid) return owner;
    this.#refusals.refuse({
      action: ACTION,
      resource: credential,
      uid: owner?.uid ?? -1,
      errorCode: owner ? 'ERR_PEER_UID' : 'ERR_PEER_CREDENTIALS',
      why: owner ? `another uid; this endpoint serves only uid ${this.#deps.uid}` : 'its owner was not found',
    });
    socket.destroy();
    return null;
  }

  #serve(
    session: Session,
    credential: string,
    endpoint: Endpoint,
    owner: TcpSocketOwner,
    req: IncomingMessage,
    res: ServerResponse,
  ) {
    const deps = this.#deps;
    // Checked before any process is looked for: a wrong token costs no /proc scan.
    const gate = () => {
      if (req.method !== 'GET' || req.url?.split('?', 1)[0] !== CONTAINER_PATH) {
        throw refusal(credential, `only GET ${CONTAINER_PATH} is served here`);
      }
      if (!tokenMatches(endpoint.tokenDigest, req.headers.authorization)) {
        throw refusal(credential, 'the authorization token is missing or wrong');
      }
    };
    return serve<ContainerCredentials>(
      deps,
      sessionPeer(deps, { owner, askedBefore: endpoint.askedBefore }, session, gate, (reason) =>
        refusal(credential, reason),
      ),
      {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        handler: this.#handler(session, credential, endpoint),
        params: { credential },
        // The SDKs send a bodiless GET; anything else is refused before a body would matter.
        body: async () => undefined,
      },
      {
        send: (answer) => send(res, 200, answer),
        fail: (error) => send(res, error.status, error.toJSON()),
      },
    );
  }

  #handler(session: Session, credential: string, endpoint: Endpoint): Handler<ContainerCredentials> {
    return {
      action: ACTION,
      resource: credential,
      handle: async (ctx) => {
        if (this.#open.get(session.id) !== endpoint)
          throw refusal(credential, `session ${session.id} has ended`);
        const { issued, audit } = await issueAws(this.#deps, ctx, credential);
        return {
          audit,
          answer: {
            AccessKeyId: issued.value.accessKeyId,
            SecretAccessKey: issued.value.secretAccessKey,
            Token: issued.value.sessionToken,
            Expiration: issued.expiresAt.toISOString(),
          },
        };
      },
    };
  }
}

function refusal(credential: string, reason: string): DecidedError {
  return new DecidedError('ERR_AWS_CONTAINER_DENIED', `refused: ${reason}`, {
    decision: 'deny',
    resource: credential,
  });
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
