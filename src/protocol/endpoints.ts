/**
 * Every endpoint of the daemon's API, in one table shared by the daemon (daemon/routes/* serve
 * them; the router matches their patterns) and every client (`daemon.call(endpoints.token, body)`).
 * Adding an endpoint starts here (and its body's check in request-checks.ts). Plain data and types
 * only, not even the request checks: every CLI command that calls the daemon loads this
 * (src/protocol/client, docs/architecture.md).
 */
import { answers } from './endpoint.js';
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
