/**
 * Every endpoint of the daemon's API, in one table shared by the daemon (daemon/routes/* serve
 * them; the router matches their patterns) and every client (`daemon.call(endpoints.token, body)`).
 * Adding an endpoint starts here. Plain functions and types only: the git and AWS helpers load
 * this on every call (see docs/architecture.md).
 */
import { answers } from './endpoint.js';
import type { McpDecideResponse, McpListResponse, McpResultResponse, McpStartResponse } from './mcp.js';
import { parseMcpCall, parseMcpList, parseMcpResult, parseMcpStart } from './mcp-requests.js';
import {
  parseAwsBaseKeys,
  parseAwsContainer,
  parseGatewayRequest,
  parseGitCredential,
  parseLoginStart,
  parseSecretSet,
  parseSessionCheck,
  parseSessionStart,
  parseStaticSecret,
  parseTokenRequest,
} from './requests.js';
import type {
  AuditCheckpointResponse,
  AuditPruneResponse,
  AwsBaseKeysResponse,
  AwsContainerResponse,
  AwsCredentialProcessResponse,
  GatewayResponse,
  GitCredentialResponse,
  GitHostsResponse,
  IdentityView,
  KeyRotateResponse,
  LoginCancelResponse,
  LoginProgressResponse,
  LoginStartResponse,
  LogoutResponse,
  PolicyPullResponse,
  PublicKeysResponse,
  SecretListResponse,
  SecretNameResponse,
  SessionCheckResponse,
  SessionEndResponse,
  SessionView,
  ShutdownResponse,
  StaticSecretResponse,
  StatusResponse,
  TokenResponse,
  WhoamiResponse,
} from './types.js';

export const endpoints = {
  status: answers<StatusResponse>().get('/v1/status'),
  whoami: answers<WhoamiResponse>().get('/v1/whoami'),
  attest: answers<IdentityView>().get('/v1/attest/:pid'),
  shutdown: answers<ShutdownResponse>().post('/v1/shutdown'),

  sessionStart: answers<SessionView>().post('/v1/sessions', parseSessionStart),
  sessionEnd: answers<SessionEndResponse>().delete('/v1/sessions/:id'),
  sessionAws: answers<AwsContainerResponse>().post('/v1/sessions/:id/aws', parseAwsContainer),
  sessionCheck: answers<SessionCheckResponse>().post('/v1/sessions/:id/check', parseSessionCheck),
  sessionGateway: answers<GatewayResponse>().post('/v1/sessions/:id/gateway', parseGatewayRequest),

  token: answers<TokenResponse>().post('/v1/token', parseTokenRequest),
  jwks: answers<PublicKeysResponse>().get('/v1/jwks'),
  keyRotate: answers<KeyRotateResponse>().post('/v1/keys/rotate'),
  aws: answers<AwsCredentialProcessResponse>().post('/v1/aws/:credential'),
  awsBaseKeys: answers<AwsBaseKeysResponse>().put('/v1/aws/:credential/base-keys', parseAwsBaseKeys),
  gitCredential: answers<GitCredentialResponse>().post('/v1/git/credential', parseGitCredential),
  gitHosts: answers<GitHostsResponse>().get('/v1/git/hosts/:credential'),
  static: answers<StaticSecretResponse>().post('/v1/static', parseStaticSecret),

  secretList: answers<SecretListResponse>().get('/v1/secrets'),
  secretSet: answers<SecretNameResponse>().put('/v1/secrets/:name', parseSecretSet),
  secretRemove: answers<SecretNameResponse>().delete('/v1/secrets/:name'),

  loginStart: answers<LoginStartResponse>().post('/v1/login', parseLoginStart),
  loginProgress: answers<LoginProgressResponse>().get('/v1/login/:id'),
  loginCancel: answers<LoginCancelResponse>().delete('/v1/login/:id'),
  logout: answers<LogoutResponse>().post('/v1/logout'),

  policyPull: answers<PolicyPullResponse>().post('/v1/policy/pull'),

  auditPrune: answers<AuditPruneResponse>().post('/v1/audit/prune'),
  auditCheckpoint: answers<AuditCheckpointResponse>().post('/v1/audit/checkpoint'),
  auditCheckpointKeys: answers<PublicKeysResponse>().get('/v1/audit/checkpoint-keys'),

  mcpStart: answers<McpStartResponse>().post('/v1/mcp/start', parseMcpStart),
  mcpDecide: answers<McpDecideResponse>().post('/v1/mcp/decide', parseMcpCall),
  mcpList: answers<McpListResponse>().post('/v1/mcp/list', parseMcpList),
  mcpResult: answers<McpResultResponse>().post('/v1/mcp/result', parseMcpResult),
} as const;
