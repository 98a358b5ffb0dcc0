/**
 * Everything a route, the pipeline or a front door needs from the outside world, built once by
 * daemon/main.ts. The in-process pipeline tests (test/daemon/) build their own from our seams.
 */
import type { Attestor } from '../src/attest/index.js';
import type { AuditEventInput, AuditRow, PruneResult, ShipStatus } from '../src/audit/index.js';
import type { Config } from '../src/config/index.js';
import type { HumanSource, LoginFlows, OidcSession } from '../src/identity/index.js';
import type { Paths } from '../src/paths.js';
import type { GitPolicy, PolicyEngine } from '../src/policy/index.js';
import type { ConfigStatus } from '../src/protocol/index.js';
import type { CredentialCache, SigningKeys } from '../src/providers/index.js';
import type { SecretStore } from '../src/secrets/index.js';
import type { SessionRegistry } from '../src/sessions/index.js';
import type { Logger } from './log.js';

export interface DaemonDeps {
  version: string;
  pid: number;
  uid: number;
  user: string;
  host: string;
  paths: Paths;
  /** Replaced as a whole by a config.toml reload (daemon/config-reload.ts): read it per request. */
  config: Config;
  procRoot: string;
  startedAt: Date;
  now: () => Date;
  randomUUID: () => string;
  log: Logger;
  attestor: Attestor;
  sessions: SessionRegistry;
  /** Cedar policy over the policy dir (or from git); hot-reloaded by main.ts. */
  policy: PolicyEngine;
  /** Policy from git (`[policy] git`); null when policies come from the policy dir alone. */
  policyGit: GitPolicy | null;
  /** The human of requests: the SSO session with `[idp]`, the local OS user without. */
  humans: HumanSource;
  /** SSO login attempts and the session they feed; null without `[idp]`. */
  sso: { flows: LoginFlows; session: OidcSession } | null;
  signingKeys: SigningKeys;
  credentialCache: CredentialCache;
  /** Which file a path names now (`dev:ino`, null when none): exe selectors match files, not paths. */
  fileIdentity: (path: string) => string | null;
  /** Whether pid still names the process that started at startTime. */
  processAlive: (pid: number, startTime: number) => boolean;
  /**
   * The audit log. Rows are appended by daemon/record.ts only; see pipeline.ts. `append` resolves
   * once the row is committed (group commit: rows of requests that arrive together share one
   * transaction). `appendLater` is for a row nothing waits on (src/audit/group-commit.ts): it
   * joins the next group's transaction, or commits within a few milliseconds when none comes.
   */
  audit: {
    append(input: AuditEventInput): Promise<AuditRow>;
    appendLater(input: AuditEventInput): Promise<AuditRow>;
    prune(before: Date): PruneResult;
  };
  /** Audit shipping (`[audit.ship]`): the latest status of each sink, for `status` and `doctor`. */
  auditShip: { status(): ShipStatus[] };
  /** Opened on first use: a machine without a keychain still runs every other route. */
  secrets: () => Promise<SecretStore>;
  /** config.toml as it runs: the file's sha256, a refused edit, keys that wait for a restart. */
  configStatus: () => ConfigStatus;
  /** What `status` reports about the secret store without opening it. */
  secretsStatus: () => { backend: string; warning: string | null };
  /** Monotonic milliseconds, for latencies and idle ages. */
  monotonicMs: () => number;
  /** Outbound HTTP to real services (GitHub); callers bound every call with a timeout. */
  fetch: typeof fetch;
  connections: () => number;
  requestShutdown: () => void;
}
