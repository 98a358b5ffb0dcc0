/**
 * The daemon's HTTP/1.1 server on the Unix socket: a front door of the pipeline (pipeline.ts).
 * Transport only: it bounds every input (connections, header size, body size, idle and header
 * timeouts), reads the kernel's peer credentials of each connection, matches the route, reads
 * JSON, and writes answers and `{error: {code, message}}`. Identifying, auditing and deciding
 * what to answer are the pipeline's.
 */
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { AgentIdError, toAgentIdError } from '../src/errors.js';
import { closePidfd, type PeerCredentials, readPeerCredentials, socketFd } from '../src/peer/index.js';
import type { DaemonDeps } from './deps.js';
import type { Peer } from './identify.js';
import { serve } from './pipeline.js';
import type { JsonAnswer, Route } from './route.js';
import { type Match, matchRoute } from './router.js';

interface Connection {
  peer: Peer;
  inFlight: number;
  lastActive: number;
}

export interface ApiServer {
  server: Server;
  connectionCount(): number;
  /** Stops accepting, lets in-flight requests finish (up to graceMs), then closes the rest. */
  stop(graceMs: number): Promise<void>;
}

export function createApiServer(deps: DaemonDeps, routes: readonly Route[]): ApiServer {
  const limits = deps.config.daemon;
  const connections = new Map<Socket, Connection>();
  let stopping = false;

  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // How often Node sweeps for connections past headersTimeout: often enough that a slowloris
      // client is cut close to the limit rather than up to 30 s later.
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
    (req, res) => {
      const conn = connections.get(req.socket);
      if (!conn) {
        req.socket.destroy();
        return;
      }
      conn.inFlight += 1;
      conn.lastActive = deps.monotonicMs();
      res.on('close', () => {
        conn.inFlight -= 1;
        conn.lastActive = deps.monotonicMs();
      });
      void handle(req, res, conn.peer);
    },
  );
  server.headersTimeout = limits.headersTimeoutMs;

  // What Node's own parser rejects (malformed, oversized headers, too slow) gets a coded JSON
  // error like everything else rather than Node's bare status line.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (!socket.writable || pending?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, error] = clientErrorOf(err, limits.maxHeaderBytes);
    const body = JSON.stringify({ error: error.toJSON() });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });

  server.on('connection', (socket: Socket) => {
    if (connections.size >= limits.maxConnections && !evictIdle()) {
      deps.log.warn(
        `connection limit (${limits.maxConnections}) reached with no idle connection; refused one`,
      );
      socket.destroy();
      return;
    }
    const credentials = peerOf(socket);
    const conn: Connection = {
      peer: unixPeer(deps, credentials),
      inFlight: 0,
      lastActive: deps.monotonicMs(),
    };
    connections.set(socket, conn);
    socket.on('close', () => {
      connections.delete(socket);
      if (!(credentials instanceof AgentIdError)) closePidfd(credentials.pidfd);
    });
  });

  // At the connection cap the longest-idle keep-alive connection makes room, so a client that
  // hoards idle connections cannot lock out a real request.
  function evictIdle(): boolean {
    let oldest: [Socket, Connection] | undefined;
    for (const entry of connections) {
      if (entry[1].inFlight === 0 && (!oldest || entry[1].lastActive < oldest[1].lastActive)) oldest = entry;
    }
    if (!oldest) return false;
    connections.delete(oldest[0]);
    oldest[0].destroy();
    return true;
  }

  function handle(req: IncomingMessage, res: ServerResponse, peer: Peer): Promise<void> {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    // While stopping, answer what arrived, but on a connection that closes afterwards.
    if (stopping) res.shouldKeepAlive = false;
    const match = tryMatch(routes, method, path);
    return serve<JsonAnswer>(
      deps,
      peer,
      {
        method,
        path,
        handler: match instanceof AgentIdError ? match : match.route,
        params: match instanceof AgentIdError ? {} : match.params,
        body: () => readBody(req, limits.maxBodyBytes),
      },
      {
        send(answer) {
          send(res, answer.status, answer.body);
          if (answer.after) res.on('finish', answer.after);
        },
        fail(error) {
          // A body we refused to read is still in the socket: close rather than parse it as a request.
          if (error.code === 'ERR_REQUEST_TOO_LARGE') res.shouldKeepAlive = false;
          send(res, error.status, wantsText(req) ? textError(error) : { error: error.toJSON() });
        },
      },
    );
  }

  return {
    server,
    connectionCount: () => connections.size,
    stop(graceMs) {
      stopping = true;
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        // net's close, not http's: http.Server#close also drops every connection without a parsed
        // request, which resets a client whose request is still in the socket buffer. Stop
        // accepting now, drain briefly, then drop what stayed idle.
        netClose.call(server, () => {
          clearTimeout(force);
          resolve();
        });
        setTimeout(() => {
          for (const [socket, conn] of connections) if (conn.inFlight === 0) socket.destroy();
        }, DRAIN_MS).unref();
      });
    },
  };
}

/** How long a connection accepted just before a stop gets to deliver its request. */
const DRAIN_MS = 200;
const netClose = NetServer.prototype.close;

function tryMatch(routes: readonly Route[], method: string, path: string): Match | AgentIdError {
  try {
    return matchRoute(routes, method, path);
  } catch (err) {
    return toAgentIdError(err);
  }
}

/** The peer of a socket connection: SO_PEERCRED, attested pinned by the pidfd the kernel gave with it. */
export function unixPeer(
  deps: Pick<DaemonDeps, 'attestor'>,
  credentials: PeerCredentials | AgentIdError,
): Peer {
  return {
    credentials,
    attest: async (pinned) => ({ peer: pinned, attestation: await deps.attestor.attest(pinned) }),
  };
}

function peerOf(socket: Socket): PeerCredentials | AgentIdError {
  try {
    return readPeerCredentials(socketFd(socket));
  } catch (err) {
    return toAgentIdError(err);
  }
}

/**
 * The thin sh helpers have no JSON encoder or decoder: they send `Content-Type: text/plain` (the
 * route gets the body as a string) and `Accept: text/plain` (errors come as one line they can
 * split with parameter expansion: `<exit status> <CODE> <message>`). src/protocol/types.ts
 * lists the routes that take text.
 */
const TEXT = 'text/plain';
const isText = (header: string | undefined) => header?.split(';', 1)[0]?.trim() === TEXT;
const wantsText = (req: IncomingMessage) => isText(req.headers.accept);
const textError = (error: AgentIdError) => `${error.exitCode} ${error.code} ${error.message}\n`;

/** The body as JSON, or as a string when it is text/plain; undefined when empty. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    return Promise.reject(tooLarge(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.pause();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (isText(req.headers['content-type'])) return resolve(Buffer.concat(chunks).toString('utf8'));
      if (size === 0) return resolve(undefined);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        reject(
          new AgentIdError(
            'ERR_REQUEST_MALFORMED',
            `the request body is not valid JSON: ${(err as Error).message}`,
          ),
        );
      }
    });
  });
}

function tooLarge(maxBytes: number): AgentIdError {
  return new AgentIdError('ERR_REQUEST_TOO_LARGE', `the request body exceeds the limit of ${maxBytes} bytes`);
}

/** A route's string body goes out as text/plain as it is; anything else as JSON. */
function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = typeof body === 'string';
  const payload = text ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': text ? `${TEXT}; charset=utf-8` : 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...(res.shouldKeepAlive ? {} : { connection: 'close' }),
  });
  res.end(payload);
}

function clientErrorOf(err: NodeJS.ErrnoException, maxHeaderBytes: number): [number, AgentIdError] {
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    const why = `the request headers are larger than ${maxHeaderBytes} bytes; send smaller headers`;
    return [431, new AgentIdError('ERR_REQUEST_TOO_LARGE', why)];
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return [
      408,
      new AgentIdError('ERR_REQUEST_TIMEOUT', 'the request was not received in time; send it at once'),
    ];
  }
  const why = `not a well-formed HTTP/1.1 request (${err.code ?? 'parse error'}); agentid's clients send one`;
  return [400, new AgentIdError('ERR_REQUEST_MALFORMED', why)];
}
