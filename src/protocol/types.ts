/**
 * The wire contract between the CLI/helpers and the daemon: HTTP/1.1 over the Unix socket,
 * JSON bodies, versioned paths (endpoints.ts). These are the protocol's own types, not the
 * attestor's or the policy engine's: the daemon's answers are checked against them where it
 * builds them, so an internal change that would change the wire fails to compile there. Types
 * only, so helpers can import them for free.
 */
import type { ErrorCode } from '../errors.js';

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export interface HumanView {
  sub: string;
  idp: 'local' | 'oidc';
  /** The OS account on this machine (with an SSO login too: the daemon serves one uid). */
  user: string;
  host: string;
  /** From the verified ID token when idp is 'oidc'. */
  issuer?: string;
  email?: string;
  groups?: string[];
  /** ISO time of the authentication at the provider (`auth_time`). */
  authTime?: string;
  /** Authentication methods (`amr`), e.g. ["pwd", "mfa"]. */
  amr?: string[];
}

export interface SessionView {
  id: string;
  agent: string | null;
  human: HumanView;
  rootPid: number;
  rootStartTime: number;
  startedAt: string;
}

/** A process and its ancestry as attestation established them. */
export interface AttestationView {
  pid: number;
  ppid: number;
  uid: number;
  gid: number;
  user: string | null;
  group: string | null;
  /** The running executable (readlink /proc/PID/exe), not argv[0]. */
  exe: string;
  /** sha256 hex of the running executable; null when not hashed (sha256Skipped says why). */
  sha256: string | null;
  sha256Skipped: string | null;
  cmdline: string[];
  cwd: string | null;
  startTime: number;
  /** Parent first. */
  ancestors: { pid: number; startTime: number; exe: string | null; cmdline: string[] }[];
  /** Git repository of the cwd. */
  repo: { root: string; remote: string | null } | null;
  /** For interpreters: the script from the command line (weak: argv can be rewritten). */
  script: { interpreter: string; path: string; weak: true } | null;
  pinnedBy: 'pidfd' | 'start-time';
}

/** The agent a process was matched to, and why. */
export interface AgentView {
  /** 'unknown' when nothing matched. */
  name: string;
  evidence: 'selector' | 'declared' | 'none';
  /** Selector kinds of the winning definition. */
  matched: string[];
  reason: string;
}

/** What the daemon makes of a process: `whoami` for the caller, `attest` for another pid. */
export interface IdentityView {
  attestation: AttestationView;
  agent: AgentView;
  session: SessionView | null;
  human: HumanView;
}

export interface WhoamiResponse extends IdentityView {
  /** Whether the kernel gave a pidfd (SO_PEERPIDFD) that pins the process against pid reuse. */
  pidfd: boolean;
  /** seq of the audit row that recorded this identification. */
  auditSeq: number;
}

export interface SessionStartRequest {
  /** Agent name to declare for the session (`agentid exec --agent`). */
  agent?: string | null;
  /** Allow a session inside another session. */
  nest?: boolean;
}

export interface StatusResponse {
  version: string;
  pid: number;
  uid: number;
  startedAt: string;
  uptimeMs: number;
  socket: string;
  auditDb: string;
  connections: number;
  secrets: { backend: string; warning: string | null };
  /** Where the JWT signing key lives: secret-store, memory (no keychain), or not yet loaded. */
  signingKey: string;
  /** Who is logged in, at which issuer, until when (`[idp]`), or the local user. */
  login?: LoginStatusView;
  /** The active policy set, and the last reload that failed (it did not replace the set). */
  policy: PolicyStatusView;
  /** config.toml as the daemon runs it, and what an edit could not apply. */
  config: ConfigStatus;
  /** Audit shipping (`[audit.ship]`): cursor, lag and last error of each sink; empty when off. */
  auditShip: ShipStatusView[];
  /** Policy from git (`[policy] git`): the commit in force and the last refusal; null when off. */
  policyGit: GitPolicyStatusView | null;
}

export interface ConfigStatus {
  file: string;
  /** sha256 of the file in force; null when there is none (the embedded defaults). */
  sha256: string | null;
  loadedAt: string;
  /** The last edit that was refused (the config in force stayed); cleared by a good one. */
  lastError: { at: string; sha256: string | null; message: string } | null;
  /** Keys changed in the file that apply only after `agentid daemon stop` and a start. */
  restartNeeded: string[];
}

export interface PolicyStatusView {
  /**
   * 'default': the policy dir does not exist, the built-in default policy applies; 'git': the set
   * comes from `[policy] git` (policyGit says which commit).
   */
  source: 'default' | 'dir' | 'git';
  dir: string;
  files: string[];
  policyCount: number;
  /** When the active set was loaded (ISO); null when no set ever loaded (deny everything). */
  loadedAt: string | null;
  /** The last load that failed and was not applied; cleared by the next good load. */
  lastError: {
    at: string;
    message: string;
    diagnostics: { file: string; line: number | null; column: number | null; message: string }[];
  } | null;
}

/** DELETE /v1/sessions/:id */
export interface SessionEndResponse {
  id: string;
  ended: true;
}

/** A public key (JWK) that verifies what the daemon signs. */
export interface PublicKeyView {
  kty?: string;
  kid?: string;
  [member: string]: unknown;
}

/** GET /v1/jwks (agent JWTs) and GET /v1/audit/checkpoint-keys (every key ever used). */
export interface PublicKeysResponse {
  keys: PublicKeyView[];
}

/** POST /v1/keys/rotate */
export interface KeyRotateResponse {
  kid: string;
  previousKid: string;
}

/** POST /v1/shutdown: answered before the daemon stops. */
export interface ShutdownResponse {
  stopping: true;
  pid: number;
}

/** POST /v1/audit/checkpoint: the chain head, signed (`agentid audit checkpoint`). */
export interface AuditCheckpointResponse {
  seq: number;
  hash: string;
  time: string;
  iss: string;
  kid: string;
  /** Compact JWS over {seq, hash, time, iss}. */
  jws: string;
}

/** One audit shipping sink (`[audit.ship]`), as `status` and `doctor` show it. */
export interface ShipStatusView {
  sink: 'syslog' | 'file';
  target: string;
  state: 'starting' | 'shipping' | 'idle' | 'retrying' | 'stopped';
  /** The last seq known delivered. */
  cursor: number;
  /** The newest seq in the log when last looked. */
  headSeq: number;
  /** Rows committed but not yet known delivered. */
  lagRows: number;
  /** Time of the oldest row not yet delivered (ISO); null when caught up. */
  oldestPending: string | null;
  /** Rows delivered since the daemon started. */
  shipped: number;
  lastDeliveryAt: string | null;
  lastError: { code: string; message: string; at: string } | null;
  /** The last rows found missing before they were shipped (persisted across restarts). */
  gap: { from: number; to: number; reason: 'pruned' | 'deleted'; at: string; sinceStart: boolean } | null;
  /** When the next attempt is due while retrying. */
  retryAt: string | null;
}

/** Policy from git (`[policy] git`): the commit in force and the last refusal. */
export interface GitPolicyStatusView {
  /** Without credentials. */
  url: string;
  ref: string;
  path: string;
  local: 'ignore' | 'merge';
  allowedSigners: string | null;
  /** The commit whose policies are in force; null: none yet, so every credential is denied. */
  commit: string | null;
  signer: string | null;
  appliedAt: string | null;
  files: string[];
  lastFetchAt: string | null;
  /** The last pull that failed or was refused (the commit in force stayed). */
  lastError: { code: string; message: string; at: string; commit: string | null } | null;
}

/** POST /v1/policy/pull (`agentid policy pull`). `error` is set when the commit was not applied. */
export interface PolicyPullResponse {
  outcome: 'applied' | 'unchanged' | 'refused';
  /** The commit fetched (null when the fetch itself failed). */
  commit: string | null;
  /** The commit in force before, when one was applied. */
  previous: string | null;
  error: { code: ErrorCode; message: string } | null;
  git: GitPolicyStatusView;
  /** seq of the audit row of this pull. */
  auditSeq: number;
}

/** POST /v1/audit/prune. `anchor` is where the chain now starts; null when nothing was pruned. */
export interface AuditPruneResponse {
  retainDays: number;
  pruned: number;
  anchor: { seq: number; prevHash: string; time: string; prunedRows: number } | null;
}

export interface SecretListResponse {
  /** Secrets set with `agentid secret set`. */
  names: string[];
  /** What agentid keeps in the store itself (AWS base keys, signing keys, the SSO refresh token), described. */
  managed: string[];
}

export interface SecretSetRequest {
  value: string;
}

/** PUT and DELETE /v1/secrets/:name: the name, never the value. */
export interface SecretNameResponse {
  name: string;
}

export interface TokenRequest {
  audience: string;
  /** A `jwt` credential name; default `identity`. */
  credential?: string;
}

export interface TokenResponse {
  token: string;
  expiresAt: string;
  kid: string;
}

/** The human half as `status` shows it. */
export interface LoginStatusView {
  idp: 'local' | 'oidc';
  issuer: string | null;
  /** local: no [idp]; logged-in; logged-out: never logged in or logged out; login-required: session lost. */
  state: 'local' | 'logged-in' | 'logged-out' | 'login-required';
  human: HumanView | null;
  /** When the current access token expires; the daemon refreshes ahead of it. */
  expiresAt: string | null;
  /** Why a login is required, when it is. */
  reason: string | null;
}

export type LoginMode = 'device' | 'browser';

export interface LoginStartRequest {
  mode: LoginMode;
}

/** What the CLI shows while the daemon runs the flow. */
export interface LoginStartResponse {
  id: string;
  mode: LoginMode;
  issuer: string;
  expiresAt: string;
  /** Device flow (RFC 8628). */
  verificationUri?: string;
  userCode?: string;
  verificationUriComplete?: string;
  /** Browser flow (RFC 8252): the URL to open. */
  authorizationUrl?: string;
}

export interface LoginProgressResponse {
  id: string;
  state: 'pending' | 'complete' | 'failed';
  expiresAt: string;
  human?: HumanView;
  error?: { code: ErrorCode; message: string };
}

/** DELETE /v1/login/:id */
export interface LoginCancelResponse {
  id: string;
  cancelled: true;
}

export interface LogoutResponse {
  /** Whether anyone was logged in. */
  loggedOut: boolean;
  /** Whether the provider revoked the refresh token (false when it has no revocation endpoint). */
  revoked: boolean;
}

/** POST /v1/aws/:credential: exactly the JSON AWS's credential_process contract documents. */
export interface AwsCredentialProcessResponse {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  /** RFC 3339. */
  Expiration: string;
}

/** PUT /v1/aws/:credential/base-keys (`agentid aws set-base-keys`). */
export interface AwsBaseKeysRequest {
  accessKeyId: string;
  secretAccessKey: string;
}

/** PUT /v1/aws/:credential/base-keys */
export interface AwsBaseKeysResponse {
  credential: string;
  /** Stored, but worth a look: placeholder-looking or temporary keys. */
  warnings: string[];
}

/**
 * POST /v1/sessions/:id/check (`agentid exec --aws/--git`): whether the session's later requests
 * for these credentials can be permitted at all, decided before its command starts.
 */
export interface SessionCheckRequest {
  credentials: { type: 'aws' | 'git'; name: string }[];
}

export interface SessionCheckResponse {
  /** Each may be permitted, with the policy's reason. */
  credentials: { type: 'aws' | 'git'; name: string; reason: string }[];
}

/** POST /v1/sessions/:id/aws (`agentid exec --aws`): the session's container-credentials endpoint. */
export interface AwsContainerRequest {
  credential: string;
}

export interface AwsContainerResponse {
  /** For AWS_CONTAINER_CREDENTIALS_FULL_URI. */
  uri: string;
  /** For AWS_CONTAINER_AUTHORIZATION_TOKEN: random, per session, compared in constant time. */
  token: string;
  region: string;
}

/** POST /v1/git/credential: what git's `get` asked for (git's attribute names). */
export interface GitCredentialRequest {
  protocol: string;
  host: string;
  /** The repository path; present when `credential.useHttpPath` is set. */
  path?: string;
  /** The credential named in the helper's command line (`git-credential --credential C`). */
  credential?: string;
}

/**
 * Text mode, for the thin sh helpers (cli/thin-helpers.ts), which have no JSON encoder: with
 * `Content-Type: text/plain` a route gets its body as a string, and with `Accept: text/plain` an
 * error is one line, `<exit status> <CODE> <message>`. POST /v1/git/credential takes git's own
 * credential input, after an optional first line `agentid-credential=<name>` (the helper's
 * --credential), and answers git's own output: empty when the host is not ours. POST
 * /v1/aws/:credential needs no text mode: its JSON answer is what credential_process prints.
 */
export const GIT_TEXT_CREDENTIAL_LINE = 'agentid-credential=';

/** `served: false`: no credential is configured for that host, so the helper prints nothing. */
export type GitCredentialResponse =
  | { served: false }
  | { served: true; credential: string; username: string; password: string; expiresAt: string };

/** GET /v1/git/hosts/:credential: the hosts a git credential serves (`agentid exec --git`). */
export interface GitHostsResponse {
  credential: string;
  hosts: string[];
}

/** POST /v1/static (`agentid exec --env VAR=NAME`): a brokered static secret. */
export interface StaticSecretRequest {
  credential: string;
}

export interface StaticSecretResponse {
  value: string;
}

/** POST /v1/sessions/:id/gateway (`agentid exec --http`): the session's secretless HTTP gateway. */
export interface GatewayRequest {
  /** `[http.<name>]` routes the session may use. */
  routes: string[];
  /** Proxy mode (`--http-proxy`): HTTPS_PROXY, TLS termination for the route hosts. */
  proxy: boolean;
}

export interface GatewayResponse {
  /** http://127.0.0.1:PORT: the session's gateway, for both modes. */
  url: string;
  /** Base-URL mode: the variable of each route that has `env`, and its loopback base URL. */
  baseUrls: { route: string; variable: string; url: string }[];
  /** Proxy mode: the hosts whose TLS the gateway terminates, and the session CA's certificate (public). */
  proxy: { hosts: string[]; caCertificate: string | null } | null;
}
