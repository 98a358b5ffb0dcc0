/**
 * Composition root of the daemon: the one place (with cli/main.ts) that touches `process`, the
 * real clock, signals and the real socket. Builds the deps, takes the single-instance lock, opens
 * the audit log, listens, and shuts down gracefully on SIGTERM/SIGINT or `POST /v1/shutdown`.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { Worker } from 'node:worker_threads';
import { usesImageSelectors } from '../src/agents/index.js';
import { createAttestor, fileIdentity, processAlive } from '../src/attest/index.js';
import { AuditWriter, checkpointWhenQuiet, createGroupCommit } from '../src/audit/index.js';
import { configOf, readConfigFile } from '../src/config/index.js';
import { toAgentIdError } from '../src/errors.js';
import { acquireDaemonLock, removeStaleSocket } from '../src/instance.js';
import { PR_SET_DUMPABLE, prctl } from '../src/native/libc.js';
import { ensurePrivateDir, resolvePaths } from '../src/paths.js';
import { PolicyEngine } from '../src/policy/index.js';
import { CredentialCache, MAX_TTL_SECONDS, SigningKeys } from '../src/providers/index.js';
import { openSecretStore, type SecretStore } from '../src/secrets/index.js';
import { fileSessionStore, pinUserns, SessionRegistry } from '../src/sessions/index.js';
import { version } from '../src/version.js';
import { startAuditShipping } from './audit-ship.js';
import { AwsContainerEndpoints } from './aws-container.js';
import { ConfigReloader } from './config-reload.js';
import type { DaemonDeps } from './deps.js';
import { SessionGateways } from './gateway/endpoints.js';
import { createLogger } from './log.js';
import { trimFreedMemory } from './memory.js';
import { buildGitPolicy, scheduleGitPolicy } from './policy-git.js';
import { watchPolicy } from './policy-reload.js';
import { recordRefusals } from './record.js';
import { RefusalTally } from './refusal-tally.js';
import { scheduleRetention } from './retention.js';
import { daemonRoutes } from './routes/index.js';
import { createApiServer } from './server.js';
import { buildSso } from './sso.js';
import { auditShipGap } from './team-audit.js';

/**
 * Connections the kernel queues before the daemon accepts them (capped by net.core.somaxconn):
 * a burst of a thousand connects is queued, then answered (served or 503), not refused.
 */
const LISTEN_BACKLOG = 4096;
/** How long refusals at accept are counted into one audit row. */
const REFUSAL_INTERVAL_MS = 10_000;
/** How long in-flight requests get to finish after a stop is asked for. */
const SHUTDOWN_GRACE_MS = 10_000;
/** The longest a row nothing waits on (a gateway request's result) waits for a group to join. */
const LATER_ROW_DELAY_MS = 10;
/** How long without an audit commit before the daemon checkpoints the audit log's WAL. */
const WAL_CHECKPOINT_QUIET_MS = 1_000;

/** Runs the daemon in the foreground until it is stopped. Resolves when it has shut down cleanly. */
export async function runDaemon(): Promise<void> {
  // Every file and the socket the daemon creates is private to its user from the first byte.
  process.umask(0o077);
  // Before any secret is in memory: processes of the same uid may not ptrace us or read
  // /proc/<pid>/mem, and no core dump is written (SECURITY.md invariant 11).
  if (process.platform === 'linux') prctl(PR_SET_DUMPABLE, 0);
  // The AWS SDK prints a notice about the Node versions its future releases need into our log on
  // Node 20; agentid says which Node versions it supports itself (README, `agentid doctor`).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const uid = process.getuid?.() ?? 0;
  const now = () => new Date();
  const log = createLogger((line) => process.stderr.write(line), now);
  const paths = resolvePaths(process.env, uid);
  const configFile = readConfigFile(paths.configFile, uid);
  // Settings bound at start (limits, secret backend, idp, attest) come from here; a reload keeps them.
  const config = configOf(configFile, paths.configFile);
  ensurePrivateDir(paths.stateDir, uid);
  ensurePrivateDir(paths.runDir, uid, { noSymlink: true });

  const lock = acquireDaemonLock(paths.lockFile, process.pid);
  const audit = AuditWriter.open(paths.auditDb, { now, randomUUID });
  const walCheckpoints = checkpointWhenQuiet(audit, WAL_CHECKPOINT_QUIET_MS, (err) =>
    log.warn(`${toAgentIdError(err).message}; SQLite's own checkpoint will retry`),
  );
  const groupCommit = createGroupCommit(
    walCheckpoints.writer,
    (flush) => setImmediate(flush),
    (flush) => setTimeout(flush, LATER_ROW_DELAY_MS).unref(),
  );

  let secretStore: SecretStore | undefined;
  let secretsWarning: string | null = null;
  let stopRequested: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stopRequested = resolve;
  });

  const policyGit = buildGitPolicy({
    config,
    paths,
    uid,
    now,
    run: { spawn, kill: (pid, signal) => process.kill(pid, signal), env: process.env },
    reload: () => deps.policy.reload(),
  });
  const deps: DaemonDeps = {
    version,
    pid: process.pid,
    uid,
    user: userInfo().username,
    host: hostname(),
    paths,
    config,
    procRoot: '/proc',
    startedAt: now(),
    now,
    randomUUID,
    log,
    attestor: createAttestor({
      procRoot: '/proc',
      maxHashBytes: config.attest.maxHashBytes,
      findOtherHolders: usesImageSelectors(config.agents),
    }),
    sessions: new SessionRegistry(fileSessionStore(paths.sessionsFile, (message) => log.warn(message))),
    policy: new PolicyEngine({
      dir: paths.policyDir,
      uid,
      now,
      ...(policyGit && { source: policyGit.source() }),
    }),
    policyGit,
    ...(await buildSso({
      idp: config.idp,
      secrets: () => deps.secrets(),
      now,
      randomUUID,
      user: userInfo().username,
      host: hostname(),
      log,
      schedule: (ms, fn) => {
        const timer = setTimeout(fn, ms);
        timer.unref();
        return () => clearTimeout(timer);
      },
    })),
    signingKeys: new SigningKeys({
      secrets: () => deps.secrets(),
      now,
      maxTokenTtlMs: MAX_TTL_SECONDS * 1000,
      warn: (message) => log.warn(message),
    }),
    credentialCache: new CredentialCache({ now }),
    fileIdentity,
    processAlive: (pid, startTime) => processAlive('/proc', pid, startTime),
    audit: {
      append: groupCommit.append,
      appendLater: groupCommit.appendLater,
      prune: (before) => audit.prune(before),
    },
    auditShip: { status: () => auditShipping.status() },
    async secrets() {
      // Opened on first use and kept; a failure is not kept, so unlocking the keychain later works.
      secretStore ??= await openSecretStore({
        backend: config.secrets.backend,
        filePath: paths.secretsFile,
        markerPath: paths.keychainMarker,
        warn: (message) => {
          secretsWarning = message;
          log.warn(message);
        },
      });
      return secretStore;
    },
    secretsStatus: () => ({ backend: config.secrets.backend, warning: secretsWarning }),
    configStatus: () => configReloader.status(),
    monotonicMs: () => performance.now(),
    fetch: (input, init) => fetch(input, init),
    connections: () => api.connectionCount(),
    requestShutdown: () => stopRequested(),
  };

  const sessions = deps.sessions.restore(deps.processAlive, (sandbox) => pinUserns('/proc', sandbox));
  if (sessions.restored + sessions.ended.length > 0) {
    log.info(
      `sessions: ${sessions.restored} restored, ${sessions.ended.length} ended while the daemon was down`,
    );
  }
  const configReloader = new ConfigReloader(deps, configFile);
  // Connections refused at a front door's accept: one audit row per uid per interval, with the count.
  const refusals = new RefusalTally({
    write: (count) => void recordRefusals(deps, count),
    now,
    after: (ms, fn) => setTimeout(fn, ms).unref(),
    intervalMs: REFUSAL_INTERVAL_MS,
  });
  const awsContainers = new AwsContainerEndpoints(deps, randomBytes, refusals);
  deps.sessions.onRemove((session) => awsContainers.close(session.id));
  const gateways = new SessionGateways(deps, randomBytes);
  deps.sessions.onRemove((session) => gateways.close(session.id));
  const api = createApiServer(deps, daemonRoutes(deps, { awsContainers, gateways }));

  // The commit in force before a restart is in force again before the first request is answered.
  const restored = await policyGit?.restore();
  if (restored?.outcome === 'refused') log.error(`policy from git: ${restored.error.message}`);
  if (removeStaleSocket(paths.socket))
    log.warn(`replaced a stale socket left by a crashed daemon: ${paths.socket}`);
  await new Promise<void>((resolve, reject) => {
    api.server.once('error', reject);
    api.server.listen({ path: paths.socket, backlog: LISTEN_BACKLOG }, () => {
      api.server.off('error', reject);
      resolve();
    });
  });
  chmodSync(paths.socket, 0o600);
  if (config.secrets.backend === 'file') {
    // The file backend warns on every start, not only when a secret is first used.
    await deps.secrets();
  }
  log.info(`agentid ${version} daemon (pid ${process.pid}) listening on ${paths.socket}`);
  const stopTrimming = trimFreedMemory(deps.monotonicMs);
  const stopPolicyWatch = watchPolicy(deps);
  const stopConfigWatch = configReloader.watch();
  const stopGitPolicy = policyGit
    ? scheduleGitPolicy({
        ...deps,
        git: policyGit,
        intervalMs: config.policy.git?.intervalMs ?? 0,
        every: (ms, fn) => {
          const timer = setInterval(fn, ms).unref();
          return () => clearInterval(timer);
        },
      })
    : () => {};
  // In the background: a slow or down provider must not delay the socket.
  void deps.sso?.session.restore();

  ensurePrivateDir(paths.shipDir, uid);
  const auditShipping = startAuditShipping({
    data: {
      auditDb: paths.auditDb,
      shipDir: paths.shipDir,
      config: config.audit.ship,
      origin: { hostname: hostname(), procId: String(process.pid), version },
    },
    spawn: (workerData) => new Worker(new URL('./ship-worker.js', import.meta.url), { workerData }),
    log,
    onGap: (target, gap) => auditShipGap(deps, target, gap),
    now,
    later: (ms, fn) => {
      const timer = setTimeout(fn, ms).unref();
      return () => clearTimeout(timer);
    },
  });
  const stopRetention = scheduleRetention(
    {
      audit,
      now,
      log,
      every: (ms, fn) => {
        const timer = setInterval(fn, ms).unref();
        return () => clearInterval(timer);
      },
    },
    () => deps.config.audit.retainDays,
  );
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stopRequested());
  await stopped;

  log.info('shutting down: finishing in-flight requests');
  // Closing the server also unlinks the socket file.
  await api.stop(SHUTDOWN_GRACE_MS);
  stopPolicyWatch();
  stopTrimming();
  stopConfigWatch();
  stopGitPolicy();
  awsContainers.closeAll();
  await gateways.closeAll();
  refusals.flush();
  stopRetention();
  await auditShipping.stop();
  groupCommit.flush();
  walCheckpoints.stop();
  audit.close();
  lock.release();
  log.info('stopped');
}
