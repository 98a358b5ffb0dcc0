/**
 * The one error type of agentid. Every failure a user, a script or a test can see carries a
 * stable `code`; the socket carries `{error: {code, message}}` and the CLI maps the code to an
 * exit code. Messages never contain secret values.
 */

/** Exit codes of the CLI (DESIGN.md: command surface). */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  denied: 3,
  loginNeeded: 4,
  daemonUnavailable: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

interface CodeSpec {
  /** HTTP status the daemon answers with. */
  status: number;
  /** Exit code of a CLI command that fails with this code. */
  exit: ExitCode;
}

const codes = {
  ERR_INTERNAL: { status: 500, exit: ExitCode.internal },
  ERR_USAGE: { status: 400, exit: ExitCode.usage },
  ERR_CONFIG_INVALID: { status: 500, exit: ExitCode.usage },
  // Exit 5: an unsafe socket (or state) directory means there is no daemon a client may talk to.
  ERR_PATHS_UNSAFE_DIR: { status: 500, exit: ExitCode.daemonUnavailable },
  ERR_REQUEST_TOO_LARGE: { status: 413, exit: ExitCode.internal },
  ERR_REQUEST_MALFORMED: { status: 400, exit: ExitCode.internal },
  ERR_REQUEST_NOT_FOUND: { status: 404, exit: ExitCode.internal },
  ERR_REQUEST_METHOD: { status: 405, exit: ExitCode.internal },
  ERR_REQUEST_TIMEOUT: { status: 408, exit: ExitCode.internal },
  ERR_DAEMON_UNAVAILABLE: { status: 503, exit: ExitCode.daemonUnavailable },
  ERR_DAEMON_BUSY: { status: 503, exit: ExitCode.daemonUnavailable },
  ERR_DAEMON_RUNNING: { status: 409, exit: ExitCode.internal },
  ERR_DAEMON_PROTOCOL: { status: 502, exit: ExitCode.internal },
  ERR_DAEMON_IMPOSTOR: { status: 502, exit: ExitCode.daemonUnavailable },
  ERR_PEER_UID: { status: 403, exit: ExitCode.denied },
  ERR_PEER_CREDENTIALS: { status: 403, exit: ExitCode.denied },
  ERR_PEER_UNSUPPORTED: { status: 500, exit: ExitCode.internal },
  ERR_ATTEST_PEER_GONE: { status: 403, exit: ExitCode.denied },
  ERR_ATTEST_UNREADABLE: { status: 403, exit: ExitCode.denied },
  ERR_ATTEST_NO_SUCH_PROCESS: { status: 404, exit: ExitCode.internal },
  ERR_ATTEST_FOREIGN: { status: 403, exit: ExitCode.denied },
  ERR_SESSION_NESTED: { status: 409, exit: ExitCode.usage },
  ERR_SESSION_NOT_FOUND: { status: 404, exit: ExitCode.internal },
  ERR_SESSION_MANAGEMENT: { status: 403, exit: ExitCode.denied },
  ERR_SESSION_INVALID: { status: 400, exit: ExitCode.usage },
  ERR_CREDENTIAL_UNKNOWN: { status: 404, exit: ExitCode.usage },
  ERR_CREDENTIAL_TYPE: { status: 400, exit: ExitCode.usage },
  ERR_CREDENTIAL_ISSUE: { status: 502, exit: ExitCode.internal },
  ERR_AWS_STS: { status: 502, exit: ExitCode.internal },
  ERR_AWS_NO_BASE_KEYS: { status: 412, exit: ExitCode.usage },
  ERR_AWS_CONTAINER_DENIED: { status: 403, exit: ExitCode.denied },
  ERR_AUDIT_WRITE: { status: 500, exit: ExitCode.internal },
  ERR_AUDIT_CHAIN_BROKEN: { status: 500, exit: ExitCode.internal },
  ERR_AUDIT_UNAVAILABLE: { status: 500, exit: ExitCode.internal },
  ERR_AUDIT_INVALID_EVENT: { status: 500, exit: ExitCode.internal },
  ERR_AUDIT_CHECKPOINT_INVALID: { status: 400, exit: ExitCode.usage },
  ERR_AUDIT_CHECKPOINT_SIGNATURE: { status: 400, exit: ExitCode.internal },
  ERR_AUDIT_CHECKPOINT_TRUNCATED: { status: 500, exit: ExitCode.internal },
  ERR_AUDIT_CHECKPOINT_REWRITTEN: { status: 500, exit: ExitCode.internal },
  ERR_AUDIT_CHECKPOINT_PRUNED: { status: 500, exit: ExitCode.internal },
  ERR_AUDIT_SHIP_UNAVAILABLE: { status: 502, exit: ExitCode.internal },
  ERR_AUDIT_SHIP_TIMEOUT: { status: 504, exit: ExitCode.internal },
  ERR_AUDIT_SHIP_GAP: { status: 500, exit: ExitCode.internal },
  ERR_AUDIT_SHIP_CURSOR: { status: 500, exit: ExitCode.internal },
  ERR_SECRETS_NO_KEYCHAIN: { status: 500, exit: ExitCode.internal },
  ERR_SECRETS_NOT_FOUND: { status: 404, exit: ExitCode.internal },
  ERR_SECRETS_INVALID_NAME: { status: 400, exit: ExitCode.usage },
  ERR_SECRETS_BACKEND: { status: 500, exit: ExitCode.internal },
  ERR_SECRETS_LOCKED: { status: 503, exit: ExitCode.internal },
  ERR_SECRETS_REPLACED: { status: 503, exit: ExitCode.internal },
  ERR_POLICY_DENIED: { status: 403, exit: ExitCode.denied },
  ERR_POLICY_INVALID: { status: 500, exit: ExitCode.usage },
  ERR_POLICY_EVALUATION: { status: 500, exit: ExitCode.internal },
  ERR_POLICY_TEST_FAILED: { status: 500, exit: ExitCode.internal },
  ERR_POLICY_GIT_NOT_CONFIGURED: { status: 400, exit: ExitCode.usage },
  ERR_POLICY_GIT_FETCH: { status: 502, exit: ExitCode.internal },
  ERR_POLICY_GIT_UNSIGNED: { status: 403, exit: ExitCode.denied },
  ERR_POLICY_GIT_UNTRUSTED: { status: 403, exit: ExitCode.denied },
  ERR_POLICY_GIT_ROLLBACK: { status: 409, exit: ExitCode.denied },
  ERR_POLICY_GIT_TREE: { status: 422, exit: ExitCode.usage },
  ERR_LOGIN_REQUIRED: { status: 401, exit: ExitCode.loginNeeded },
  ERR_LOGIN_NOT_FOUND: { status: 404, exit: ExitCode.loginNeeded },
  ERR_LOGIN_EXPIRED: { status: 408, exit: ExitCode.loginNeeded },
  ERR_LOGIN_DENIED: { status: 403, exit: ExitCode.loginNeeded },
  ERR_LOGIN_CANCELLED: { status: 409, exit: ExitCode.loginNeeded },
  ERR_LOGIN_STATE_MISMATCH: { status: 400, exit: ExitCode.loginNeeded },
  ERR_IDP_NOT_CONFIGURED: { status: 400, exit: ExitCode.usage },
  ERR_IDP_UNAVAILABLE: { status: 504, exit: ExitCode.internal },
  ERR_IDP_PROTOCOL: { status: 502, exit: ExitCode.internal },
  ERR_IDTOKEN_ISSUER: { status: 502, exit: ExitCode.internal },
  ERR_IDTOKEN_AUDIENCE: { status: 502, exit: ExitCode.internal },
  ERR_IDTOKEN_EXPIRED: { status: 502, exit: ExitCode.internal },
  ERR_IDTOKEN_ALG: { status: 502, exit: ExitCode.internal },
  ERR_IDTOKEN_UNKNOWN_KEY: { status: 502, exit: ExitCode.internal },
  ERR_IDTOKEN_SIGNATURE: { status: 502, exit: ExitCode.internal },
  ERR_IDTOKEN_NONCE: { status: 502, exit: ExitCode.internal },
  ERR_IDTOKEN_AZP: { status: 502, exit: ExitCode.internal },
  ERR_IDTOKEN_INVALID: { status: 502, exit: ExitCode.internal },
  ERR_GIT_INPUT_INVALID: { status: 400, exit: ExitCode.usage },
  ERR_GIT_NO_PATH: { status: 400, exit: ExitCode.usage },
  ERR_GITHUB_API: { status: 502, exit: ExitCode.internal },
  ERR_GITHUB_TIMEOUT: { status: 504, exit: ExitCode.internal },
  ERR_GITHUB_NO_INSTALLATION: { status: 404, exit: ExitCode.usage },
  ERR_GITHUB_KEY: { status: 412, exit: ExitCode.usage },
  ERR_STATIC_NOT_SET: { status: 412, exit: ExitCode.usage },
  ERR_SERVICE_EXISTS: { status: 409, exit: ExitCode.usage },
  ERR_SERVICE_UNSUPPORTED: { status: 400, exit: ExitCode.usage },
  ERR_MCP_SERVER_START: { status: 500, exit: ExitCode.internal },
  ERR_MCP_SERVER_EXITED: { status: 502, exit: ExitCode.internal },
  ERR_MCP_PROTOCOL: { status: 502, exit: ExitCode.internal },
  ERR_MCP_MESSAGE_TOO_LARGE: { status: 413, exit: ExitCode.internal },
  ERR_MCP_MESSAGE_TOO_DEEP: { status: 400, exit: ExitCode.internal },
  ERR_MCP_NAME_INVALID: { status: 400, exit: ExitCode.usage },
  ERR_GATEWAY_REFUSED: { status: 403, exit: ExitCode.denied },
  ERR_GATEWAY_HOST_DENIED: { status: 403, exit: ExitCode.denied },
  ERR_GATEWAY_NO_ROUTE: { status: 404, exit: ExitCode.usage },
  ERR_GATEWAY_REQUEST_INVALID: { status: 400, exit: ExitCode.usage },
  ERR_GATEWAY_CERT_REFUSED: { status: 403, exit: ExitCode.denied },
  ERR_GATEWAY_UPSTREAM: { status: 502, exit: ExitCode.internal },
  ERR_GATEWAY_TIMEOUT: { status: 504, exit: ExitCode.internal },
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof codes;

export class AgentIdError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentIdError';
    this.code = code;
  }

  get status(): number {
    return codes[this.code].status;
  }

  get exitCode(): ExitCode {
    return codes[this.code].exit;
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(codes, value);
}

/** Anything thrown, as an AgentIdError; unknown failures become ERR_INTERNAL without their stack. */
export function toAgentIdError(err: unknown): AgentIdError {
  if (err instanceof AgentIdError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AgentIdError('ERR_INTERNAL', message, { cause: err });
}
