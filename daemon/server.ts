/**
 * The daemon's HTTP/1.1 server on the Unix socket: a front door of the pipeline (pipeline.ts).
 * Transport only: it bounds every input (connections, header size, body size and its deadline,
 * idle and header timeouts), reads the kernel's peer credentials of each connection, matches the
 * route, reads JSON, and writes answers and `{error: {code, message}}`. At the connection cap a
 * slow or idle connection makes room, or the newcomer gets a coded 503 (http-slots.ts): a flood
 * of connections gets answers, not resets. Identifying, auditing and deciding what to answer are
 * the pipeline's.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import type { ConnectionMemo } from '../src/attest/index.js';
import { AgentIdError, toAgentIdError } from '../src/errors.js';
import { closePidfd, type PeerCredentials, readPeerCredentials, socketFd } from '../src/peer/index.js';
import type { Slot } from './connection-slots.js';
import type { DaemonDeps } from './deps.js';
import { answerRaw, HttpSlots } from './http-slots.js';
import type { Peer } from './identify.js';
import { serve } from './pipeline.js';
import type { JsonAnswer, Route } from './route.js';
import { type Match, matchRoute } from './router.js';

interface Connection {
  peer: Peer;
  inFlight: number;
}

/** A connection stuck in its headers or body this long may lose its slot to a newcomer at the cap. */
const SLOW_GRACE_MS = 500;
/** Overflow places (answered 503) per slot: a burst of connects is answered, not reset. */
const OVERFLOW_PER_SLOT = 4;
const PRESSURE_LOG_INTERVAL_MS = 10_000;

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
  const slots = new HttpSlots({
    cap: limits.maxConnections,
    overflowCap: limits.maxConnections * OVERFLOW_PER_SLOT,
    graceMs: SLOW_GRACE_MS,
    now: deps.monotonicMs,
    errorBody: (error) => ({ error: error.toJSON() }),
    warn: (line) => deps.log.warn(line),
    logIntervalMs: PRESSURE_LOG_INTERVAL_MS,
  });

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
      const slot = slots.request(req, res, (error) => send(res, error.status, { error: error.toJSON() }));
      if (!conn || !slot) {
        if (!res.headersSent) req.socket.destroy();
        return;
      }
      conn.inFlight += 1;
      res.on('close', () => {
        conn.inFlight -= 1;
      });
      void handle(req, res, conn.peer, slot);
    },
  );
  server.headersTimeout = limits.headersTimeoutMs;

  // What Node's own parser rejects (malformed, oversized headers, too slow) gets a coded JSON
  // error like everything else rather than Node's bare status line.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (pending?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, error] = clientErrorOf(err, limits.maxHeaderBytes);
    answerRaw(socket, status, { error: error.toJSON() });
  });

  server.on('connection', (socket: Socket) => {
    if (!slots.connect(socket)) return;
    const credentials = peerOf(socket);
    // What the peer runs as its connection is accepted: an exec before its request is refused.
    if (!(credentials instanceof AgentIdError)) credentials.image = deps.attestor.imageOf(credentials.pid);
    const conn: Connection = { peer: unixPeer(deps, credentials), inFlight: 0 };
    connections.set(socket, conn);
    socket.on('close', () => {
      connections.delete(socket);
      conn.peer.release?.();
      if (!(credentials instanceof AgentIdError)) closePidfd(credentials.pidfd);
    });
  });

  function handle(req: IncomingMessage, res: ServerResponse, peer: Peer, slot: Slot): Promise<void> {
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
        body: async () => {
          // Only a body still on its way can be slow; one already in waits for us, not the client.
          if (!req.complete) slot.enter('body');
          const body = await readBody(req, limits.maxBodyBytes, limits.bodyTimeoutMs);
          slot.enter('busy');
          return body;
        },
      },
      {
        send(answer) {
          send(res, answer.status, answer.body);
          if (answer.after) res.on('finish', answer.after);
        },
        fail(error) {
          // A body we refused or gave up reading is still in the socket: close rather than parse it as a request.
          if (error.code === 'ERR_REQUEST_TOO_LARGE' || error.code === 'ERR_REQUEST_TIMEOUT')
            res.shouldKeepAlive = false;
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

/**
 * The peer of a socket connection: SO_PEERCRED, attested pinned by the pidfd the kernel gave with
 * it, at every request, with what the connection's earlier requests found (ConnectionMemo).
 */
export function unixPeer(
  deps: Pick<DaemonDeps, 'attestor'>,
  credentials: PeerCredentials | AgentIdError,
): Peer {
  const memo: ConnectionMemo = {};
  return {
    credentials,
    attest: async (pinned) => ({ peer: pinned, attestation: await deps.attestor.attest(pinned, memo) }),
    release: () => deps.attestor.release(memo),
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

/**
 * The body as JSON, or as a string when it is text/plain; undefined when empty. Bounded in size
 * and in time: all of it must arrive within `timeoutMs`.
 */
function readBody(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    return Promise.reject(tooLarge(maxBytes));
  }
  // Neither length nor chunking: the request has no body (RFC 9112 §6.3), as for every GET, so
  // there is nothing to wait for and no deadline to set. Node discards the empty stream itself.
  if (declared === 0 && req.headers['transfer-encoding'] === undefined) {
    return Promise.resolve(isText(req.headers['content-type']) ? '' : undefined);
  }
  return new Promise<unknown>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const deadline = setTimeout(() => {
      req.removeAllListeners('data');
      req.pause();
      reject(
        new AgentIdError(
          'ERR_REQUEST_TIMEOUT',
          `the request body did not arrive within ${timeoutMs} ms; send it with the headers`,
        ),
      );
    }, timeoutMs);
    deadline.unref();
    const done = () => clearTimeout(deadline);
    // The connection went (evicted at the cap, or the client left): nothing more will come.
    req.once('close', () => {
      done();
      if (!req.complete) reject(new AgentIdError('ERR_REQUEST_MALFORMED', 'the request body was cut off'));
    });
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        done();
        req.removeAllListeners('data');
        req.pause();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (err) => {
      done();
      reject(err);
    });
    req.on('end', () => {
      done();
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
