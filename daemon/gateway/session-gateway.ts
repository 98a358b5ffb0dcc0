/**
 * One session's HTTP gateway: a loopback listener that is a front door of the request pipeline
 * (daemon/pipeline.ts), like the socket and the AWS container endpoint. It only works out which
 * request this is and how to answer it; the pipeline identifies the peer (the TCP connection's
 * owner, a member of this session), the handlers decide and attach (handlers.ts), one row is
 * committed before anything goes upstream, and a second row (`http.result`) records how the
 * exchange ended: status, bytes each way, echoes stripped, total time. The credential never
 * reaches the agent: it exists only in the upstream request.
 *
 * Two ways in. Base-URL mode: `GET /<route>/<path>` on http://127.0.0.1:PORT. Proxy mode
 * (HTTPS_PROXY): `CONNECT host:port`; for the session's route hosts TLS ends here with a leaf of
 * the session CA and the requests inside are the session's like any other; other hosts are
 * tunnelled untouched or refused (`[gateway] other_hosts`). Plain-HTTP proxy requests
 * (absolute-form URLs) go the same way.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import { createSecureContext, type SecureContext, TLSSocket } from 'node:tls';
import type { HttpRouteConfig } from '../../src/config/index.js';
import { AgentIdError, toAgentIdError } from '../../src/errors.js';
import {
  baseUrlTarget,
  type Leaf,
  parseAuthority,
  proxyTarget,
  routesAt,
  SessionCa,
  tlsHosts,
} from '../../src/gateway/index.js';
import type { SessionRecord } from '../../src/sessions/index.js';
import type { DaemonDeps } from '../deps.js';
import { DecidedError } from '../outcome.js';
import { type Handler, type Reply, serve } from '../pipeline.js';
import { recordAfterAnswer } from '../record.js';
import { ConnectionPeers } from './connection-peer.js';
import {
  type Decided,
  type GatewayAnswer,
  type GatewayParts,
  type GatewayRequest,
  otherHostHandler,
  routeHandler,
} from './handlers.js';

/** Where a TLS connection terminated here was headed, and the TCP connection it came in on. */
interface Tunnel {
  host: string;
  port: number;
  outer: Socket;
}

export interface GatewayOptions {
  session: SessionRecord;
  /** The `[http.<name>]` routes this session may use. */
  routes: readonly HttpRouteConfig[];
  proxy: boolean;
  randomBytes: (size: number) => Buffer;
}

export class SessionGateway {
  readonly #deps: DaemonDeps;
  readonly #parts: GatewayParts;
  readonly #options: GatewayOptions;
  readonly #server: Server;
  /** Serves the requests inside TLS connections terminated here; never listens itself. */
  readonly #tlsServer: Server;
  readonly #ca: SessionCa | null;
  readonly #contexts = new Map<string, { leaf: Leaf; context: SecureContext }>();
  readonly #tunnels = new WeakMap<Socket, Tunnel>();
  readonly #peers: ConnectionPeers;
  /** Sockets taken over by CONNECT: the HTTP server no longer tracks them, so close() must. */
  readonly #connected = new Set<Socket>();
  #port = 0;

  private constructor(deps: DaemonDeps, parts: GatewayParts, options: GatewayOptions) {
    this.#deps = deps;
    this.#parts = parts;
    this.#options = options;
    const hosts = tlsHosts(options.routes);
    this.#ca =
      options.proxy && hosts.length > 0
        ? new SessionCa({
            sessionId: options.session.id,
            hosts,
            now: deps.now,
            randomBytes: options.randomBytes,
          })
        : null;
    this.#peers = new ConnectionPeers(deps, options.session, (reason) => refusal(reason));
    const limits = {
      noDelay: true,
      maxHeaderSize: deps.config.gateway.maxHeaderBytes,
      headersTimeout: deps.config.daemon.headersTimeoutMs,
      // Uploads and streams may take long; idle sockets are bounded instead (setTimeout below).
      requestTimeout: 0,
    };
    this.#server = createServer(limits, (req, res) => this.#onRequest(req, res, req.socket));
    this.#server.maxConnections = deps.config.gateway.maxConnections;
    this.#server.setTimeout(deps.config.gateway.idleTimeoutMs);
    this.#server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) =>
      this.#onConnect(req, socket, head),
    );
    this.#server.on('upgrade', (_req: IncomingMessage, socket: Socket) => {
      rawAnswer(
        socket,
        new AgentIdError(
          'ERR_GATEWAY_REQUEST_INVALID',
          'the gateway does not forward protocol upgrades (WebSocket)',
        ),
      );
    });
    this.#tlsServer = createServer(limits, (req, res) => {
      const tunnel = this.#tunnels.get(req.socket);
      if (tunnel) this.#onRequest(req, res, tunnel.outer, tunnel);
      else res.destroy();
    });
    this.#tlsServer.setTimeout(deps.config.gateway.idleTimeoutMs);
  }

  static async open(deps: DaemonDeps, parts: GatewayParts, options: GatewayOptions): Promise<SessionGateway> {
    const gateway = new SessionGateway(deps, parts, options);
    await new Promise<void>((resolve, reject) => {
      gateway.#server.once('error', reject);
      gateway.#server.listen(0, '127.0.0.1', () => {
        gateway.#server.off('error', reject);
        resolve();
      });
    });
    gateway.#port = (gateway.#server.address() as AddressInfo).port;
    return gateway;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** The session CA's certificate (public), for the child's trust store; null without proxy mode or TLS routes. */
  get caCertificate(): string | null {
    return this.#ca?.certificate.pem ?? null;
  }

  get tlsHosts(): string[] {
    return this.#ca ? [...this.#ca.hosts] : [];
  }

  /**
   * The session is over: nothing of it may keep talking through the gateway, so new connections
   * are refused and open ones, tunnels included, are cut.
   */
  close(): void {
    this.#server.close();
    this.#server.closeAllConnections();
    this.#tlsServer.closeAllConnections();
    for (const socket of this.#connected) socket.destroy();
    this.#connected.clear();
  }

  #onRequest(req: IncomingMessage, res: ServerResponse, outer: Socket, tunnel?: Tunnel): void {
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const request: GatewayRequest = {
      method: req.method ?? 'GET',
      rawHeaders: req.rawHeaders,
      body: hasBody(req) ? req.pipe(new PassThrough()) : null,
      signal: controller.signal,
      decided: null,
    };
    let handler: Handler<GatewayAnswer> | AgentIdError;
    try {
      handler = this.#handlerFor(req.url ?? '/', request, tunnel);
    } catch (err) {
      handler = toAgentIdError(err);
    }
    const started = this.#deps.monotonicMs();
    void serve<GatewayAnswer>(
      this.#deps,
      this.#peers.of(outer, this.#port),
      {
        method: request.method,
        path: (req.url ?? '/').split('?')[0] ?? '/',
        handler,
        params: {},
        body: async () => undefined,
      },
      httpReply(this.#deps, res, request, started),
    );
  }

  #handlerFor(url: string, request: GatewayRequest, tunnel?: Tunnel): Handler<GatewayAnswer> {
    const { routes } = this.#options;
    if (tunnel) return this.#proxied('https:', tunnel.host, tunnel.port, url, request);
    if (url.startsWith('/')) {
      const target = baseUrlTarget(routes, url);
      if (!target)
        throw noRoute(`no route of this session is named ${JSON.stringify(url.split(/[/?]/)[1] ?? '')}`);
      return routeHandler(this.#deps, this.#parts, request, target, 'base-url');
    }
    // An absolute-form URL: a plain-HTTP proxy request.
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new AgentIdError(
        'ERR_GATEWAY_REQUEST_INVALID',
        'the request target is neither a path nor an absolute URL',
      );
    }
    const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const path = `${parsed.pathname}${parsed.search}`;
    if (host === '127.0.0.1' && port === this.#port) return this.#handlerFor(path, request);
    if (parsed.protocol !== 'http:')
      throw new AgentIdError('ERR_GATEWAY_REQUEST_INVALID', 'an https URL is proxied with CONNECT');
    if (!this.#options.proxy) throw notProxy();
    return this.#proxied('http:', host, port, path, request);
  }

  #proxied(protocol: 'https:' | 'http:', host: string, port: number, path: string, request: GatewayRequest) {
    const match = proxyTarget(this.#options.routes, protocol, host, port, path);
    if (match.kind === 'route') return routeHandler(this.#deps, this.#parts, request, match.target, 'proxy');
    if (match.kind === 'no-route')
      throw noRoute(`no route of this session covers ${host}${path.split('?')[0]}`);
    const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return otherHostHandler(
      this.#parts,
      this.#deps.config.gateway.otherHosts,
      this.#deps.config.gateway.connectTimeoutMs,
      { host, port },
      {
        request,
        origin,
        path,
      },
    );
  }

  #onConnect(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    this.#connected.add(socket);
    socket.once('close', () => this.#connected.delete(socket));
    const authority = parseAuthority(req.url ?? '');
    if (!this.#options.proxy || !authority) {
      rawAnswer(
        socket,
        authority ? notProxy() : new AgentIdError('ERR_GATEWAY_REQUEST_INVALID', 'CONNECT needs host:port'),
      );
      return;
    }
    if (head.length > 0) socket.unshift(head);
    if (this.#ca && routesAt(this.#options.routes, 'https:', authority.host, authority.port).length > 0) {
      this.#terminate(socket, authority);
      return;
    }
    const started = this.#deps.monotonicMs();
    const handler = otherHostHandler(
      this.#parts,
      this.#deps.config.gateway.otherHosts,
      this.#deps.config.gateway.connectTimeoutMs,
      authority,
      null,
    );
    void serve<GatewayAnswer>(
      this.#deps,
      this.#peers.of(socket, this.#port),
      { method: 'CONNECT', path: req.url ?? '', handler, params: {}, body: async () => undefined },
      connectReply(this.#deps, socket, started),
    );
  }

  /** TLS ends here, with the session CA's leaf for the host the client asked for. */
  #terminate(socket: Socket, authority: { host: string; port: number }): void {
    let context: SecureContext;
    try {
      context = this.#contextFor(authority.host);
    } catch (err) {
      rawAnswer(socket, toAgentIdError(err));
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    const tls = new TLSSocket(socket, {
      isServer: true,
      secureContext: context,
      ALPNProtocols: ['http/1.1'],
    });
    tls.on('error', () => tls.destroy());
    this.#tunnels.set(tls, { ...authority, outer: socket });
    this.#tlsServer.emit('connection', tls);
  }

  #contextFor(host: string): SecureContext {
    const leaf = (this.#ca as SessionCa).leafFor(host);
    const cached = this.#contexts.get(leaf.host);
    if (cached?.leaf === leaf) return cached.context;
    const context = createSecureContext({ cert: leaf.certificatePem, key: leaf.keyPem });
    this.#contexts.set(leaf.host, { leaf, context });
    return context;
  }
}

/** The refusal of a peer that is not this session's: the pipeline records it as a deny. */
function refusal(reason: string): DecidedError {
  return new DecidedError('ERR_GATEWAY_REFUSED', `refused: ${reason}`, { decision: 'deny' });
}

function noRoute(message: string): AgentIdError {
  return new AgentIdError(
    'ERR_GATEWAY_NO_ROUTE',
    `${message}; the session's routes come from agentid exec --http`,
  );
}

function notProxy(): AgentIdError {
  return new AgentIdError(
    'ERR_GATEWAY_REQUEST_INVALID',
    'this session gateway is not in proxy mode (agentid exec --http-proxy); use a route base URL',
  );
}

function hasLength(headers: readonly string[]): boolean {
  return headers.some((name, i) => i % 2 === 0 && name.toLowerCase() === 'content-length');
}

/** A request carries a body when it says so (RFC 9112 6.3); GETs and HEADs normally do not. */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** Delivers an answer to an HTTP request, streaming, then writes the exchange's `http.result` row. */
function httpReply(
  deps: DaemonDeps,
  res: ServerResponse,
  request: GatewayRequest,
  started: number,
): Reply<GatewayAnswer> {
  return {
    async send(answer) {
      if (answer.kind !== 'forward')
        throw new AgentIdError('ERR_INTERNAL', 'a tunnel answer to an HTTP request');
      const { forwarded } = answer;
      let bytesOut = 0;
      let failure: AgentIdError | null = null;
      try {
        res.writeHead(forwarded.status, forwarded.headers);
        // A stream's client sees its status before the first event; a sized body goes with its
        // head in one write (two small writes would meet Nagle and delayed ACKs).
        if (!hasLength(forwarded.headers)) res.flushHeaders();
        bytesOut = await pipeBody(forwarded.body, res);
      } catch (err) {
        failure = toAgentIdError(err);
        res.destroy();
      }
      const notes = [
        `status ${forwarded.status}`,
        `${bytesOut} bytes back`,
        ...(forwarded.echoedHeaders.length
          ? [`echoed headers stripped: ${forwarded.echoedHeaders.join(', ')}`]
          : []),
        ...(forwarded.maskedInBody() ? [`credential masked ${forwarded.maskedInBody()}x in the body`] : []),
      ];
      recordResult(deps, answer, started, notes, failure);
    },
    fail(error) {
      // After its decision was committed, a failure (the upstream's) is the exchange's end.
      if (request.decided)
        recordResult(deps, request.decided, started, ['no answer from the upstream'], error);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, error, request.body !== null);
    },
  };
}

/** Delivers a CONNECT answer: the tunnel, both ways, until either side closes. */
function connectReply(deps: DaemonDeps, socket: Socket, started: number): Reply<GatewayAnswer> {
  return {
    async send(answer) {
      if (answer.kind !== 'tunnel') throw new AgentIdError('ERR_INTERNAL', 'a forward answer to CONNECT');
      const { upstream } = answer;
      const idle = deps.config.gateway.idleTimeoutMs;
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      let up = 0;
      let down = 0;
      socket.on('data', (chunk: Buffer) => {
        up += chunk.length;
      });
      upstream.on('data', (chunk: Buffer) => {
        down += chunk.length;
      });
      for (const side of [socket, upstream]) {
        side.setTimeout(idle, () => side.destroy());
        side.on('error', () => side.destroy());
      }
      socket.pipe(upstream);
      upstream.pipe(socket);
      await new Promise<void>((resolve) => {
        let open = 2;
        const closed = () => {
          socket.destroy();
          upstream.destroy();
          if (--open === 0) resolve();
        };
        socket.once('close', closed);
        upstream.once('close', closed);
      });
      recordResult(deps, answer, started, [`tunnel closed`, `${up} bytes out`, `${down} bytes back`], null);
    },
    fail: (error) => rawAnswer(socket, error),
  };
}

/** The second row of a request: how the exchange ended, linked to its decision by seq. */
function recordResult(
  deps: DaemonDeps,
  answer: Decided,
  started: number,
  notes: string[],
  failure: AgentIdError | null,
): void {
  recordAfterAnswer(
    deps,
    answer.caller,
    {
      action: 'http.result',
      decision: failure ? 'error' : 'allow',
      resource: answer.decision.resource,
      reason: `${notes.join('; ')}; decision seq ${answer.decision.seq}${failure ? `; ${failure.message}` : ''}`,
      errorCode: failure?.code ?? null,
    },
    Math.round((deps.monotonicMs() - started) * 1000) / 1000,
  ).catch((err: unknown) => {
    deps.log.error(`audit row of a finished gateway request not written: ${toAgentIdError(err).message}`);
  });
}

/** Copies the upstream body as it arrives, with backpressure; resolves with the bytes written. */
async function pipeBody(body: Readable, res: ServerResponse): Promise<number> {
  let bytes = 0;
  res.once('close', () => {
    if (!res.writableFinished) body.destroy();
  });
  for await (const chunk of body) {
    bytes += (chunk as Buffer).length;
    if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
  return bytes;
}

/** A coded JSON error, naming the policies of a policy decision. */
function errorBody(error: AgentIdError): string {
  const policyIds = error instanceof DecidedError ? error.facts.policyIds : undefined;
  return JSON.stringify({ error: { ...error.toJSON(), ...(policyIds ? { policyIds } : {}) } });
}

function sendJson(res: ServerResponse, error: AgentIdError, unreadBody: boolean): void {
  const body = errorBody(error);
  res.writeHead(error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-agentid-error': error.code,
    // A body the client is still sending was never read: the connection cannot be reused.
    ...(unreadBody ? { connection: 'close' } : {}),
  });
  res.end(body);
}

/** An answer written straight on a socket (CONNECT, upgrade), then closed. */
function rawAnswer(socket: Socket, error: AgentIdError): void {
  const body = errorBody(error);
  socket.end(
    `HTTP/1.1 ${error.status} ${error.status === 403 ? 'Forbidden' : 'Error'}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nx-agentid-error: ${error.code}\r\nconnection: close\r\n\r\n${body}`,
  );
}
