/**
 * `agentid exec --aws NAME`: per session, a loopback HTTP endpoint speaking the AWS container
 * credentials protocol (AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN),
 * which every AWS SDK and the CLI already consume. A front door of the pipeline (pipeline.ts),
 * like the socket. Three locks, each enough to refuse: the random per-session token (compared in
 * constant time), the TCP peer's process, attested, whose ancestry must reach the session root
 * (session-peer.ts), and policy plus audit per credential, exactly as on the socket (issue.ts).
 * The endpoint closes with its session.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentIdError } from '../src/errors.js';
import type { AwsContainerResponse } from '../src/protocol/index.js';
import type { Session } from '../src/sessions/index.js';
import { issueAws } from './aws-issue.js';
import type { DaemonDeps } from './deps.js';
import { DecidedError } from './outcome.js';
import { type Handler, serve } from './pipeline.js';
import { sessionPeer } from './session-peer.js';

const CONTAINER_PATH = '/agentid/aws/credentials';
/** Bounds of the loopback server: SDKs send one small GET and maybe keep the connection. */
const LIMITS = { maxConnections: 32, maxHeaderSize: 8192, headersTimeoutMs: 5_000, requestTimeoutMs: 30_000 };

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
    // see #handler) rather than a reset, and idle keep-alive connections go at once.
    endpoint.server.close();
    endpoint.server.closeIdleConnections();
  }

  closeAll(): void {
    for (const id of [...this.#open.keys()]) this.close(id);
  }

  #serve(
    session: Session,
    credential: string,
    endpoint: Endpoint,
    req: IncomingMessage,
    res: ServerResponse,
  ) {
    const deps = this.#deps;
    const connection = {
      clientPort: req.socket.remotePort ?? 0,
      serverPort: (endpoint.server.address() as AddressInfo).port,
    };
    return serve<ContainerCredentials>(
      deps,
      sessionPeer(deps, connection, session, (reason) => refusal(credential, reason)),
      {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        handler: this.#handler(session, credential, endpoint, req),
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

  #handler(
    session: Session,
    credential: string,
    endpoint: Endpoint,
    req: IncomingMessage,
  ): Handler<ContainerCredentials> {
    const refuse = (reason: string): never => {
      throw refusal(credential, reason);
    };
    return {
      action: 'aws.container',
      resource: credential,
      handle: async (ctx) => {
        if (req.method !== 'GET' || req.url?.split('?', 1)[0] !== CONTAINER_PATH) {
          refuse(`only GET ${CONTAINER_PATH} is served here`);
        }
        if (!tokenMatches(endpoint.tokenDigest, req.headers.authorization)) {
          refuse('the authorization token is missing or wrong');
        }
        if (this.#open.get(session.id) !== endpoint) refuse(`session ${session.id} has ended`);
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
