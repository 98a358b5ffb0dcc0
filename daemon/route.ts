/**
 * What a route of the Unix socket is: one file per route under daemon/routes/, each a factory
 * that closes over the daemon's deps and serves one endpoint of the table in src/protocol. The
 * pipeline (pipeline.ts) owns identification, the audit row and the answer; a route owns its
 * decision and returns its audit facts with its JSON answer.
 */
import { type Endpoint, type Method, type ParamsOf, requestCheck } from '../src/protocol/index.js';
import type { Outcome } from './outcome.js';
import type { Handler, HandlerContext } from './pipeline.js';

/** A JSON answer on the socket. */
export interface JsonAnswer<Body = unknown> {
  status: number;
  body: Body;
  /** Runs after the response is written (e.g. shutdown). */
  after?: () => void;
}

export interface Route extends Handler<JsonAnswer> {
  method: Method;
  /** Path with `:name` segments, e.g. `/v1/secrets/:name`. */
  pattern: string;
}

/** What a route's handler gets: the caller, its endpoint's path parameters and its checked body. */
export interface RouteContext<P extends string, Req> extends Omit<HandlerContext, 'params' | 'body'> {
  params: Readonly<Record<ParamsOf<P>, string>>;
  body: Req;
}

export interface RouteSpec<P extends string, Req, Res> extends Omit<Handler<JsonAnswer<Res>>, 'handle'> {
  handle(ctx: RouteContext<P, Req>): Outcome<JsonAnswer<Res>> | Promise<Outcome<JsonAnswer<Res>>>;
}

/** The route serving `endpoint`: the body is checked by the endpoint's own check first (request-checks.ts). */
export function route<P extends string, Req, Res>(
  endpoint: Endpoint<P, Req, Res>,
  spec: RouteSpec<P, Req, Res>,
): Route {
  const check = requestCheck(endpoint);
  return {
    ...spec,
    method: endpoint.method,
    pattern: endpoint.pattern,
    handle: (ctx) =>
      spec.handle({
        ...ctx,
        params: ctx.params as Readonly<Record<ParamsOf<P>, string>>,
        body: check(ctx.body),
      }),
  };
}
