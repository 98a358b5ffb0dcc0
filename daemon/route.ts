/**
 * What a route is: one file per route under daemon/routes/, each a factory that closes over the
 * daemon's deps and returns this shape. The server owns transport concerns (bounds, peer check,
 * JSON, errors); a route owns its decision and its audit row.
 */
import type { Caller } from './identify.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** The caller (uid-checked, attested, matched to an agent and a human), plus the request. */
export interface RouteContext extends Caller {
  params: Readonly<Record<string, string>>;
  /** Parsed JSON body; undefined when the request had none. */
  body: unknown;
  /** Milliseconds since the request arrived, for the audit row's latency. */
  elapsedMs: () => number;
}

export interface RouteResult {
  status: number;
  body: unknown;
  /** Runs after the response is written (e.g. shutdown). */
  after?: () => void;
}

export interface Route {
  method: Method;
  /** Path with `:name` segments, e.g. `/v1/secrets/:name`. */
  pattern: string;
  /** Audit action recorded when the route fails or the peer is refused. */
  action: string;
  /**
   * The route works without an SSO login (status, login itself, secrets): its caller's human is
   * the local OS user until someone logs in. Every other route needs the human, and fails with
   * ERR_LOGIN_REQUIRED when `[idp]` is configured and the session is lost.
   */
  humanOptional?: boolean;
  /**
   * The route manages agentid itself (secrets, keys, the daemon). Refused inside an
   * `agentid exec` session: an agent must not rewrite the material it is governed by, nor stop
   * the daemon that audits it. The human runs these from their own shell.
   */
  manages?: boolean;
  handle(ctx: RouteContext): RouteResult | Promise<RouteResult>;
}
