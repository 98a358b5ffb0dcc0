/**
 * The daemon's API, for both ends: what an endpoint is (its method and path and the types of its
 * request body and answer) and the table of all of them, shared by the daemon (daemon/routes/*
 * serve them; the router matches their patterns) and every client, which names an endpoint rather
 * than spelling its path: `daemon.call(endpoints.token, { audience })`. Adding an endpoint starts
 * here (and its body's check, run by the daemon, in request-checks.ts). Plain data and types only,
 * not even the request checks: every CLI command that calls the daemon loads this
 * (src/protocol/client, docs/architecture.md).
 */
import type {
  McpCallSummary,
  McpDecideResponse,
  McpListRequest,
  McpListResponse,
  McpResultRequest,
  McpResultResponse,
  McpStartRequest,
  McpStartResponse,
} from './mcp.js';
import type {
  AuditCheckpointResponse,
  AuditPruneResponse,
  AwsBaseKeysRequest,
  AwsBaseKeysResponse,
  AwsContainerRequest,
  AwsContainerResponse,
  AwsCredentialProcessResponse,
  GatewayRequest,
  GatewayResponse,
  GitCredentialRequest,
  GitCredentialResponse,
  GitHostsResponse,
  IdentityView,
  KeyRotateResponse,
  LoginCancelResponse,
  LoginProgressResponse,
  LoginStartRequest,
  LoginStartResponse,
  LogoutResponse,
  PolicyPullResponse,
  PublicKeysResponse,
  SecretListResponse,
  SecretNameResponse,
  SecretSetRequest,
  SessionCheckRequest,
  SessionCheckResponse,
  SessionEndResponse,
  SessionSandboxRequest,
  SessionStartRequest,
  SessionView,
  ShutdownResponse,
  StaticSecretRequest,
  StaticSecretResponse,
  StatusResponse,
  TokenRequest,
  TokenResponse,
  WhoamiResponse,
} from './types.js';

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

export const endpoints = {
  status: answers<StatusResponse>().get('/v1/status'),
  whoami: answers<WhoamiResponse>().get('/v1/whoami'),
  attest: answers<IdentityView>().get('/v1/attest/:pid'),
  shutdown: answers<ShutdownResponse>().post('/v1/shutdown'),

  sessionStart: answers<SessionView, Required<SessionStartRequest>>().post('/v1/sessions'),
  sessionEnd: answers<SessionEndResponse>().delete('/v1/sessions/:id'),
  sessionAws: answers<AwsContainerResponse, AwsContainerRequest>().post('/v1/sessions/:id/aws'),
  sessionSandbox: answers<SessionView, SessionSandboxRequest>().post('/v1/sessions/:id/sandbox'),
  sessionCheck: answers<SessionCheckResponse, SessionCheckRequest>().post('/v1/sessions/:id/check'),
  sessionGateway: answers<GatewayResponse, GatewayRequest>().post('/v1/sessions/:id/gateway'),

  token: answers<TokenResponse, TokenRequest>().post('/v1/token'),
  jwks: answers<PublicKeysResponse>().get('/v1/jwks'),
  keyRotate: answers<KeyRotateResponse>().post('/v1/keys/rotate'),
  aws: answers<AwsCredentialProcessResponse>().post('/v1/aws/:credential'),
  awsBaseKeys: answers<AwsBaseKeysResponse, AwsBaseKeysRequest>().put('/v1/aws/:credential/base-keys'),
  gitCredential: answers<GitCredentialResponse, GitCredentialRequest>().post('/v1/git/credential'),
  gitHosts: answers<GitHostsResponse>().get('/v1/git/hosts/:credential'),
  static: answers<StaticSecretResponse, StaticSecretRequest>().post('/v1/static'),

  secretList: answers<SecretListResponse>().get('/v1/secrets'),
  secretSet: answers<SecretNameResponse, SecretSetRequest>().put('/v1/secrets/:name'),
  secretRemove: answers<SecretNameResponse>().delete('/v1/secrets/:name'),

  loginStart: answers<LoginStartResponse, LoginStartRequest>().post('/v1/login'),
  loginProgress: answers<LoginProgressResponse>().get('/v1/login/:id'),
  loginCancel: answers<LoginCancelResponse>().delete('/v1/login/:id'),
  logout: answers<LogoutResponse>().post('/v1/logout'),

  policyPull: answers<PolicyPullResponse>().post('/v1/policy/pull'),

  auditPrune: answers<AuditPruneResponse>().post('/v1/audit/prune'),
  auditCheckpoint: answers<AuditCheckpointResponse>().post('/v1/audit/checkpoint'),
  auditCheckpointKeys: answers<PublicKeysResponse>().get('/v1/audit/checkpoint-keys'),

  mcpStart: answers<McpStartResponse, McpStartRequest>().post('/v1/mcp/start'),
  mcpDecide: answers<McpDecideResponse, McpCallSummary>().post('/v1/mcp/decide'),
  mcpList: answers<McpListResponse, McpListRequest>().post('/v1/mcp/list'),
  mcpResult: answers<McpResultResponse, McpResultRequest>().post('/v1/mcp/result'),
} as const;
