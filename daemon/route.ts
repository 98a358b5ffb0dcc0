/**
 * What a route is: one file per route under daemon/routes/, each a factory that closes over the
 * daemon's deps and returns this shape. The server owns transport concerns (bounds, peer check,
 * JSON, errors); a route owns its decision and its audit row.
 */
import type { PeerCredentials } from '../src/peer/index.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteContext {
  /** Kernel credentials of the connection, already checked to be the daemon's own uid. */
  peer: PeerCredentials;
  /** Real executable of the peer (readlink /proc/PID/exe), null when /proc could not tell. */
  exe: string | null;
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
  handle(ctx: RouteContext): RouteResult | Promise<RouteResult>;
}
