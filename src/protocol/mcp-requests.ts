/**
 * The daemon's checks of the /v1/mcp request bodies (the `parse` of those endpoints). The proxy
 * runs as the agent, so every field is bounded and shaped here before it reaches Cedar or an
 * audit row: names must be ones policy and audit can hold, and arguments no deeper than the
 * proxy's own bound (mcp-bounds.ts), since the canonical JSON of audited arguments recurses into them.
 */
import { isName, refuse } from './check.js';
import {
  CALL_METHODS,
  LIST_METHODS,
  type McpCallMethod,
  type McpCallSummary,
  type McpListRequest,
  type McpResultRequest,
  type McpStartRequest,
} from './mcp.js';
import { checkDepth, checkName } from './mcp-bounds.js';

const SERVER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PATH_MAX = 4096;
const LIST_MAX = 1000;
const DIGEST = /^[0-9a-f]{64}$/;
const EVENT_ID = /^[0-9a-f-]{36}$/;

export function parseMcpStart(body: unknown): McpStartRequest {
  const b = record(body);
  const credentials = b.credentials ?? [];
  if (!Array.isArray(credentials) || credentials.length > 32 || !credentials.every(isShortString))
    usage('credentials must be a list of credential names');
  return { server: server(b.server), program: text(b.program, 'program', 256), credentials };
}

export function parseMcpCall(body: unknown): McpCallSummary {
  const b = record(body);
  const method = b.method as McpCallMethod;
  if (!CALL_METHODS.includes(method)) usage(`method must be one of ${CALL_METHODS.join(', ')}`);
  if (
    b.path !== undefined &&
    (typeof b.path !== 'string' || !b.path.startsWith('/') || b.path.length > PATH_MAX)
  )
    usage(`path must be an absolute path of at most ${PATH_MAX} characters`);
  if (typeof b.argsDigest !== 'string' || !DIGEST.test(b.argsDigest)) usage('argsDigest must be sha256 hex');
  const tooDeep = checkDepth(b.arguments, 'the arguments');
  if (tooDeep) throw tooDeep;
  return {
    server: server(b.server),
    method,
    name: mcpName(b.name),
    ...(b.path === undefined ? {} : { path: b.path as string }),
    argsDigest: b.argsDigest as string,
    ...(b.arguments === undefined ? {} : { arguments: b.arguments }),
  };
}

export function parseMcpList(body: unknown): McpListRequest {
  const b = record(body);
  if (!LIST_METHODS.includes(b.method as McpListRequest['method']))
    usage(`method must be one of ${LIST_METHODS.join(', ')}`);
  if (!Array.isArray(b.names) || b.names.length > LIST_MAX)
    usage(`names must be a list of at most ${LIST_MAX} names`);
  for (const name of b.names) mcpName(name);
  return { server: server(b.server), method: b.method as McpListRequest['method'], names: b.names };
}

export function parseMcpResult(body: unknown): McpResultRequest {
  const b = record(body);
  if (typeof b.eventId !== 'string' || !EVENT_ID.test(b.eventId)) usage('eventId must be an audit event id');
  if (!CALL_METHODS.includes(b.method as McpCallMethod)) usage('method must be a call method');
  if (b.status !== 'ok' && b.status !== 'tool-error' && b.status !== 'error')
    usage('status must be ok, tool-error or error');
  if (b.rpcCode !== undefined && !Number.isInteger(b.rpcCode)) usage('rpcCode must be an integer');
  if (typeof b.latencyMs !== 'number' || !(b.latencyMs >= 0)) usage('latencyMs must be a number');
  return {
    eventId: b.eventId as string,
    server: server(b.server),
    method: b.method as McpCallMethod,
    name: mcpName(b.name),
    status: b.status,
    ...(b.rpcCode === undefined ? {} : { rpcCode: b.rpcCode as number }),
    latencyMs: b.latencyMs as number,
  };
}

function record(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    usage('the body must be a JSON object');
  return body as Record<string, unknown>;
}

function server(value: unknown): string {
  if (typeof value !== 'string' || !SERVER.test(value))
    usage(`server must match ${SERVER.source} (agentid mcp --name NAME)`);
  return value as string;
}

function text(value: unknown, field: string, max: number): string {
  if (!isName(value, max)) usage(`${field} must be a string of 1-${max} characters`);
  return value as string;
}

/** A tool or prompt name or resource URI; ERR_MCP_NAME_INVALID otherwise. */
function mcpName(value: unknown): string {
  const invalid = checkName(value, 'name');
  if (invalid) throw invalid;
  return value as string;
}

function isShortString(value: unknown): value is string {
  return isName(value, 64);
}

function usage(message: string): never {
  return refuse(message);
}
