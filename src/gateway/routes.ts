/**
 * Which route a gateway request is for (pure; table tests). Base-URL mode names the route in the
 * first path segment (`/openai/chat/completions`); proxy mode matches the host and port the client
 * asked for, then the longest path prefix. Paths with dot segments are refused rather than
 * normalised: a route's path prefix is part of what policy allowed, and `/v1/../admin` must not
 * reach past it at an upstream that resolves them.
 */
import type { HttpRouteConfig } from '../config/index.js';
import { AgentIdError } from '../errors.js';

export interface RouteTarget {
  route: HttpRouteConfig;
  /** scheme://host:port of the upstream. */
  origin: string;
  /** Path and query as sent upstream. */
  path: string;
  /** The path without the query: what policy and the audit row see. */
  pathname: string;
}

/** Base-URL mode: `/<route>/<rest>` → the route's upstream + prefix + `/<rest>`. */
export function baseUrlTarget(routes: readonly HttpRouteConfig[], requestPath: string): RouteTarget | null {
  const match = /^\/([^/?]+)(\/[^?]*)?(\?.*)?$/.exec(requestPath);
  if (!match) return null;
  const route = routes.find((r) => r.name === match[1]);
  if (!route) return null;
  const rest = match[2] ?? '';
  checkPath(rest);
  const pathname = `${route.pathPrefix}${rest}` || '/';
  return { route, origin: originOf(route), path: `${pathname}${match[3] ?? ''}`, pathname };
}

export type ProxyMatch =
  | { kind: 'route'; target: RouteTarget }
  | { kind: 'other-host' }
  | { kind: 'no-route' };

/**
 * Proxy mode: a request for `host:port` (from CONNECT, or an absolute-form URL) over `protocol`.
 * `no-route`: the host is a route's, but no route's path prefix covers the path.
 */
export function proxyTarget(
  routes: readonly HttpRouteConfig[],
  protocol: 'https:' | 'http:',
  host: string,
  port: number,
  requestPath: string,
): ProxyMatch {
  const candidates = routesAt(routes, protocol, host, port);
  if (candidates.length === 0) return { kind: 'other-host' };
  if (!requestPath.startsWith('/')) {
    throw new AgentIdError(
      'ERR_GATEWAY_REQUEST_INVALID',
      'the request target must be a path starting with /',
    );
  }
  const query = requestPath.indexOf('?');
  const pathname = query < 0 ? requestPath : requestPath.slice(0, query);
  checkPath(pathname);
  const covering = candidates
    .filter(
      (r) => r.pathPrefix === '' || pathname === r.pathPrefix || pathname.startsWith(`${r.pathPrefix}/`),
    )
    .sort((a, b) => b.pathPrefix.length - a.pathPrefix.length);
  const route = covering[0];
  if (!route) return { kind: 'no-route' };
  return { kind: 'route', target: { route, origin: originOf(route), path: requestPath, pathname } };
}

/** The routes served at host:port over protocol. */
export function routesAt(
  routes: readonly HttpRouteConfig[],
  protocol: 'https:' | 'http:',
  host: string,
  port: number,
): HttpRouteConfig[] {
  const name = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return routes.filter((r) => r.protocol === protocol && r.host === name && r.port === port);
}

/** The hosts the session CA may vouch for: those of the https routes. */
export function tlsHosts(routes: readonly HttpRouteConfig[]): string[] {
  return [...new Set(routes.filter((r) => r.protocol === 'https:').map((r) => r.host))];
}

export function originOf(route: HttpRouteConfig): string {
  const host = route.host.includes(':') ? `[${route.host}]` : route.host;
  return `${route.protocol}//${host}:${route.port}`;
}

/** `host:port` of a CONNECT request (RFC 9110 9.3.6), or null when it is not one. */
export function parseAuthority(authority: string): { host: string; port: number } | null {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(authority);
  if (!match?.[1] || !match[2]) return null;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return null;
  return { host: match[1].replace(/^\[(.*)\]$/, '$1').toLowerCase(), port };
}

function checkPath(pathname: string): void {
  // Encoded separators count too: some upstreams decode them before resolving dot segments.
  for (const segment of pathname.split(/\/|%2f|%5c|\\/i)) {
    const decoded = segment.replace(/%2e/gi, '.');
    if (decoded === '.' || decoded === '..') {
      throw new AgentIdError(
        'ERR_GATEWAY_REQUEST_INVALID',
        'the path has a "." or ".." segment; the gateway forwards only plain paths',
      );
    }
  }
}
