/**
 * Everything a route or the server needs from the outside world, built once by daemon/main.ts.
 * Tests build their own with real stores in temp dirs and our own seams (clock, random).
 */
import type { Attestor } from '../src/attest/index.js';
import type { AuditEventInput, AuditRow } from '../src/audit/index.js';
import type { Config } from '../src/config/index.js';
import type { Paths } from '../src/paths.js';
import type { SecretStore } from '../src/secrets/index.js';
import type { Logger } from './log.js';
import type { SessionRegistry } from './sessions.js';

export interface DaemonDeps {
  version: string;
  pid: number;
  uid: number;
  user: string;
  host: string;
  paths: Paths;
  config: Config;
  procRoot: string;
  startedAt: Date;
  now: () => Date;
  randomUUID: () => string;
  log: Logger;
  attestor: Attestor;
  sessions: SessionRegistry;
  /** Whether pid still names the process that started at startTime. */
  processAlive: (pid: number, startTime: number) => boolean;
  audit: { append(input: AuditEventInput): AuditRow };
  /** Opened on first use: a machine without a keychain still runs every other route. */
  secrets: () => Promise<SecretStore>;
  /** What `status` reports about the secret store without opening it. */
  secretsStatus: () => { backend: string; warning: string | null };
  /** Monotonic milliseconds, for latencies and idle ages. */
  monotonicMs: () => number;
  connections: () => number;
  requestShutdown: () => void;
}
