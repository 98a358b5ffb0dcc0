/**
 * What an endpoint of the daemon's API is, for both ends: its method and path and the types of its
 * request body and answer (the body's check, run by the daemon, is in request-checks.ts). The
 * table of all of them is endpoints.ts; a client names an endpoint rather than spelling its path:
 * `daemon.call(endpoints.token, { audience })`.
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** The `:name` segments of a path pattern, as a union: `'/v1/secrets/:name'` → `'name'`. */
export type ParamsOf<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamsOf<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

export interface Endpoint<P extends string = string, Req = unknown, Res = unknown> {
  readonly method: Method;
  /** Path with `:name` segments, e.g. `/v1/secrets/:name`. */
  readonly pattern: P;
  /**
   * Never set: carries the request body's type. Its check (run by the daemon) is in
   * request-checks.ts, so a client loads the table without the checks.
   */
  readonly request?: Req;
  /** Never set: carries the answer's type to the clients. */
  readonly answer?: Res;
}

/** The answer type of an endpoint. */
export type AnswerOf<E> = E extends Endpoint<string, unknown, infer Res> ? Res : never;

type BodyArgs<Req> = undefined extends Req ? [body?: Req] : [body: Req];

/** What a client passes besides the endpoint: the path parameters (when it has any), then the body. */
export type CallArgs<P extends string, Req> = [ParamsOf<P>] extends [never]
  ? BodyArgs<Req>
  : [params: Record<ParamsOf<P>, string>, ...BodyArgs<Req>];

/** One request on the wire. */
export interface WireRequest {
  method: Method;
  path: string;
  body?: unknown;
}

/** The request a client sends for `endpoint` with `args`; path parameters are percent-encoded. */
export function wireRequest<P extends string, Req>(
  endpoint: Endpoint<P, Req, unknown>,
  args: CallArgs<P, Req>,
): WireRequest {
  const hasParams = endpoint.pattern.includes('/:');
  const params = (hasParams ? args[0] : {}) as Record<string, string>;
  const body = hasParams ? args[1] : args[0];
  const path = endpoint.pattern.replace(/:(\w+)/g, (_, name: string) =>
    encodeURIComponent(params[name] ?? ''),
  );
  return { method: endpoint.method, path, ...(body === undefined ? {} : { body }) };
}

/**
 * Endpoints that answer `Res` and take a `Req` body (none by default), by method:
 * `answers<StatusResponse>().get('/v1/status')`, `answers<TokenResponse, TokenRequest>().post('/v1/token')`.
 */
export function answers<Res, Req = undefined>() {
  const define =
    (method: Method) =>
    <P extends string>(pattern: P) =>
      ({ method, pattern }) as Endpoint<P, Req, Res>;
  return { get: define('GET'), post: define('POST'), put: define('PUT'), delete: define('DELETE') };
}

/** Whatever sends requests to the daemon: the CLI's client (with autostart), or a test's. */
export interface DaemonCaller {
  call<P extends string, Req, Res>(endpoint: Endpoint<P, Req, Res>, ...args: CallArgs<P, Req>): Promise<Res>;
}
