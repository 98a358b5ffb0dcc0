/**
 * Wire types between `agentid mcp` (the stdio proxy, running as the agent's child) and the
 * daemon's /v1/mcp routes. The proxy sends summaries of calls, never their full arguments unless
 * `[mcp] audit_arguments` asks for them: a write_file's content has no business in the daemon.
 */

/** The methods that reach a server's capabilities, each decided by policy (action `mcp`). */
export const CALL_METHODS = ['tools/call', 'prompts/get', 'resources/read'] as const;
/** The methods that list them, filtered by policy. */
export const LIST_METHODS = ['tools/list', 'prompts/list', 'resources/list'] as const;
export type McpCallMethod = (typeof CALL_METHODS)[number];
export type McpListMethod = (typeof LIST_METHODS)[number];

/** POST /v1/mcp/start: a proxy announces its server; the answer is the [mcp] settings it applies. */
export interface McpStartRequest {
  server: string;
  /** The server's program (argv[0] only: arguments can hold secrets). */
  program: string;
  /** Credentials named by `--env VAR=CRED`, whose types the proxy needs to fetch them. */
  credentials: string[];
}

export interface McpStartResponse {
  hideDenied: boolean;
  auditArguments: boolean;
  maxMessageBytes: number;
  credentials: { name: string; type: string }[];
}

/** What policy and audit see of one call. */
export interface McpCallSummary {
  server: string;
  method: McpCallMethod;
  /** Tool or prompt name, or the resource URI. */
  name: string;
  /** The deepest path holding every path-like argument (absolute, normalized); absent if none. */
  path?: string;
  /** sha256 hex of the canonical JSON of the arguments. */
  argsDigest: string;
  /** The arguments themselves, sent only when the daemon asked for them (audit_arguments). */
  arguments?: unknown;
}

/** POST /v1/mcp/decide. `eventId` names the audit row, for the result row that follows. */
export interface McpDecideResponse {
  decision: 'allow' | 'deny';
  reason: string;
  policyIds: string[];
  eventId: string;
}

/** POST /v1/mcp/list: which of the names a server offers the caller may use. */
export interface McpListRequest {
  server: string;
  method: McpListMethod;
  names: string[];
}

export interface McpListResponse {
  allowed: string[];
}

/** POST /v1/mcp/result: how an allowed call ended, after the server answered. */
export interface McpResultRequest {
  eventId: string;
  server: string;
  method: McpCallMethod;
  name: string;
  /** ok; tool-error (the tool ran and reported isError); error (a JSON-RPC error or no answer). */
  status: 'ok' | 'tool-error' | 'error';
  /** The JSON-RPC error code, for status error. */
  rpcCode?: number;
  /** Time from forwarding the call to the server's answer. */
  latencyMs: number;
}

export interface McpResultResponse {
  /** seq of the result's audit row. */
  seq: number;
}
