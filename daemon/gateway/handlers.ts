/**
 * What the gateway asks of the pipeline for each request (daemon/pipeline.ts): the decision and
 * its audit facts in `handle`, the upstream call in `respond`, which runs only once the row is
 * committed, so nothing reaches an upstream before its row is durable (invariant 4). Three kinds:
 * a request on a route (Cedar action `http` on `Route::"<name>"`, the credential attached), and
 * for hosts no route of the session names, a CONNECT tunnel or a plain-HTTP request passed on as
 * sent — or refused, as `[gateway] other_hosts` says.
 */
import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { AuditRow } from '../../src/audit/index.js';
import type { OtherHosts } from '../../src/config/index.js';
import { AgentIdError } from '../../src/errors.js';
import { type Forwarded, forward, type RouteTarget, type Upstreams } from '../../src/gateway/index.js';
import type { CredentialCache } from '../../src/providers/index.js';
import { requireAllowed } from '../authorize.js';
import type { DaemonDeps } from '../deps.js';
import type { Caller } from '../identify.js';
import { DecidedError } from '../outcome.js';
import type { Handler } from '../pipeline.js';
import { routeCredential } from './attach.js';

/** A committed decision, for the request's second row (session-gateway.ts: `http.result`). */
export interface Decided {
  caller: Caller;
  decision: AuditRow;
}

export interface ForwardAnswer extends Decided {
  kind: 'forward';
  forwarded: Forwarded;
}

export interface TunnelAnswer extends Decided {
  kind: 'tunnel';
  upstream: Socket;
}

export type GatewayAnswer = ForwardAnswer | TunnelAnswer;

/** The request as the front door read it; the body is streamed, never read here. */
export interface GatewayRequest {
  method: string;
  rawHeaders: readonly string[];
  body: Readable | null;
  signal: AbortSignal;
  /** Set once the decision row is committed: a failure after it still gets its result row. */
  decided: Decided | null;
}

export interface GatewayParts {
  upstreams: Upstreams;
  cache: CredentialCache;
}

/** Longest path kept in an audit row or a policy context; the query is never kept. */
const MAX_PATH = 512;

export function routeHandler(
  deps: DaemonDeps,
  parts: GatewayParts,
  request: GatewayRequest,
  target: RouteTarget,
  mode: 'base-url' | 'proxy',
): Handler<GatewayAnswer> {
  const { route } = target;
  const path = target.pathname.slice(0, MAX_PATH);
  return {
    action: 'http',
    resource: route.name,
    async handle(caller) {
      const decision = requireAllowed(
        deps,
        caller,
        {
          name: route.name,
          type: 'http',
          entity: 'Route',
          route: { upstream: route.upstream, credential: route.credential },
        },
        { method: request.method, host: route.host, path, route: route.name },
      );
      const decidedMs = caller.elapsedMs();
      const { attachment, issued, cached } = await routeCredential(
        deps,
        parts.cache,
        caller,
        route,
        target.pathname,
      );
      return {
        audit: {
          decision: 'allow',
          resource: route.name,
          reason: `${request.method} ${route.host}${path} (${mode}); ${decision.reason}; credential ${route.credential}${cached ? ' (cached)' : ''}`,
          policyIds: decision.policyIds,
          credentialFingerprint: issued.fingerprint,
          expiresAt: issued.expiresAt,
          // The decision's own cost: what the gateway adds before the request may leave.
          latencyMs: decidedMs,
        },
        respond: async (row) => {
          request.decided = { caller, decision: row };
          return {
            kind: 'forward',
            caller,
            decision: row,
            forwarded: await forward(parts.upstreams, {
              origin: target.origin,
              path: target.path,
              method: request.method,
              rawHeaders: request.rawHeaders,
              body: request.body,
              caFile: route.caFile,
              attachment,
              signal: request.signal,
            }),
          };
        },
      };
    },
  };
}

/** A host no route of the session names: a CONNECT tunnel (`origin` null) or plain HTTP passed on. */
export function otherHostHandler(
  parts: GatewayParts,
  otherHosts: OtherHosts,
  connectTimeoutMs: number,
  authority: { host: string; port: number },
  passOn: { request: GatewayRequest; origin: string; path: string } | null,
): Handler<GatewayAnswer> {
  const resource = `${authority.host.includes(':') ? `[${authority.host}]` : authority.host}:${authority.port}`;
  const how = passOn ? `${passOn.request.method} http://${resource}` : `CONNECT ${resource}`;
  return {
    action: 'http.other',
    resource,
    handle(caller) {
      if (otherHosts === 'deny') {
        throw new DecidedError(
          'ERR_GATEWAY_HOST_DENIED',
          `${resource} is not a host of this session's routes, and [gateway] other_hosts = "deny"`,
          { decision: 'deny', resource, reason: `${how}: other_hosts = "deny"` },
        );
      }
      return {
        audit: {
          decision: 'allow',
          resource,
          reason: `${how}: passed on untouched (other_hosts = "tunnel")`,
        },
        respond: async (row): Promise<GatewayAnswer> => {
          if (passOn) passOn.request.decided = { caller, decision: row };
          if (!passOn) {
            return {
              kind: 'tunnel',
              caller,
              decision: row,
              upstream: await dial(authority, connectTimeoutMs),
            };
          }
          const forwarded = await forward(parts.upstreams, {
            origin: passOn.origin,
            path: passOn.path,
            method: passOn.request.method,
            rawHeaders: passOn.request.rawHeaders,
            body: passOn.request.body,
            caFile: null,
            attachment: null,
            signal: passOn.request.signal,
          });
          return { kind: 'forward', caller, decision: row, forwarded };
        },
      };
    },
  };
}

/** A TCP connection to the other host; the socket's idle timeout bounds the connect. */
function dial(authority: { host: string; port: number }, timeoutMs: number): Promise<Socket> {
  const where = `${authority.host}:${authority.port}`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: authority.host, port: authority.port, timeout: timeoutMs });
    const onTimeout = () => {
      socket.destroy();
      reject(new AgentIdError('ERR_GATEWAY_TIMEOUT', `${where} did not accept the connection in time`));
    };
    socket.once('timeout', onTimeout);
    socket.once('connect', () => {
      socket.off('timeout', onTimeout);
      socket.setTimeout(0);
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      reject(new AgentIdError('ERR_GATEWAY_UPSTREAM', `${where}: ${err.code ?? err.message}`));
    });
  });
}
