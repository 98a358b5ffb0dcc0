/**
 * A DaemonDeps for in-process tests of the pipeline: the daemon's real policy engine (Cedar over
 * a temp policy dir), real audit log (SQLite in a temp dir), real credential cache, session
 * registry and signing keys (over an in-memory secret store), with our own seams faked: the
 * process table (attestations by pid), the clock, the human source and the log.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import type { DaemonDeps } from '../../daemon/deps.js';
import { parseAgentDefinitions } from '../../src/agents/index.js';
import type { Attestation } from '../../src/attest/index.js';
import { type AuditRow, AuditWriter, createGroupCommit } from '../../src/audit/index.js';
import { defaultConfig } from '../../src/config/index.js';
import { AgentIdError } from '../../src/errors.js';
import { localHuman } from '../../src/identity/index.js';
import { resolvePaths } from '../../src/paths.js';
import { PolicyEngine } from '../../src/policy/index.js';
import { CredentialCache, SigningKeys } from '../../src/providers/index.js';
import { memorySecretStore } from '../../src/secrets/index.js';
import { SessionRegistry } from '../../src/sessions/index.js';

export const UID = 4242;
export const NOW = new Date('2025-06-01T12:00:00Z');
const HUMAN = localHuman('alice', 'box');

/** A process of the test's process table: pid 100+ under `/usr/bin/<exe>`, parent pid 1. */
export function processOf(pid: number, exe: string, overrides: Partial<Attestation> = {}): Attestation {
  return {
    pid,
    ppid: 1,
    uid: UID,
    gid: UID,
    user: 'alice',
    group: 'alice',
    exe: `/usr/bin/${exe}`,
    exeFile: `file:/usr/bin/${exe}`,
    sha256: 'a'.repeat(64),
    sha256Skipped: null,
    cmdline: [exe],
    cwd: '/home/alice',
    userns: [],
    connection: 'close-on-exec',
    sharedWith: null,
    startTime: pid * 10,
    ancestors: [{ pid: 1, startTime: 1, exe: '/sbin/init', exeFile: 'file:/sbin/init', cmdline: ['init'] }],
    repo: null,
    script: null,
    pinnedBy: 'pidfd',
    ...overrides,
  };
}

export interface FakeWorld {
  deps: DaemonDeps;
  /** Every row the audit log committed, in order. */
  rows: AuditRow[];
  /** The process table attestation reads from; a missing pid fails as a gone peer. */
  processes: Map<number, Attestation>;
  /** The human source: `loggedIn = false` makes require() fail as a lost SSO login. */
  human: { loggedIn: boolean };
  /** When set, the next append fails as a broken audit log. */
  audit: { failNext: boolean };
  log: string[];
  /** Moves the monotonic clock (latencies). */
  advance(ms: number): void;
}

export interface WorldOptions {
  /** Cedar policies, file name to text; none: the default policy. */
  policies?: Record<string, string>;
  /** `[agents.<name>]` tables as config.toml would parse them. */
  agents?: Record<string, unknown>;
}

export function fakeWorld(options: WorldOptions = {}): FakeWorld {
  const root = mkdtempSync(join(tmpdir(), 'agentid-pipeline-'));
  const paths = resolvePaths({ AGENTID_HOME: root }, UID);
  mkdirSync(paths.stateDir, { recursive: true });
  if (options.policies) {
    mkdirSync(paths.policyDir, { recursive: true });
    for (const [name, text] of Object.entries(options.policies))
      writeFileSync(join(paths.policyDir, name), text);
  }
  const config = {
    ...defaultConfig(),
    agents: parseAgentDefinitions(options.agents ?? {}, 'test config'),
  };
  const now = () => NOW;
  let monotonic = 0;
  const rows: AuditRow[] = [];
  const processes = new Map<number, Attestation>();
  const human = { loggedIn: true };
  const auditControl = { failNext: false };
  const log: string[] = [];
  const writer = AuditWriter.open(paths.auditDb, { now, randomUUID });
  // The daemon's own group commit, so the pipeline tests run against it.
  const groupCommit = createGroupCommit(
    writer,
    (flush) => setImmediate(flush),
    (flush) => setTimeout(flush, 5),
  );
  const secrets = memorySecretStore();
  const attestPid = async (pid: number) => {
    const found = processes.get(pid);
    if (!found) throw new AgentIdError('ERR_ATTEST_PEER_GONE', `process ${pid} is gone`);
    return found;
  };
  const unused = (what: string) => () => {
    throw new Error(`${what} is not part of the pipeline tests`);
  };

  const deps: DaemonDeps = {
    version: 'test',
    pid: 1,
    uid: UID,
    user: 'alice',
    host: 'box',
    paths,
    config,
    // No /proc here: a refused peer's exe reads as unknown.
    procRoot: join(root, 'no-proc'),
    startedAt: NOW,
    now,
    randomUUID,
    log: {
      info: (m) => log.push(`info ${m}`),
      warn: (m) => log.push(`warn ${m}`),
      error: (m) => log.push(`error ${m}`),
    },
    // A fake process never execs: no image to compare.
    attestor: { attest: (peer) => attestPid(peer.pid), attestPid, imageOf: () => null, release: () => {} },
    // Every path is its own file here, as processOf's exeFile says.
    fileIdentity: (path) => `file:${path}`,
    // Sessions are kept in memory here; the file store has its own tests.
    sessions: new SessionRegistry({ load: () => [], save: () => {} }),
    policy: new PolicyEngine({ dir: paths.policyDir, uid: UID, now }),
    policyGit: null,
    auditShip: { status: () => [] },
    humans: {
      peek: () => HUMAN,
      require: async () => {
        if (human.loggedIn) return HUMAN;
        throw new AgentIdError('ERR_LOGIN_REQUIRED', 'the SSO session is lost; run agentid login');
      },
      status: unused('humans.status'),
      idToken: unused('humans.idToken'),
    },
    sso: null,
    signingKeys: new SigningKeys({
      secrets: async () => secrets,
      now,
      maxTokenTtlMs: 15 * 60_000,
      warn: (m) => log.push(`warn ${m}`),
    }),
    credentialCache: new CredentialCache({ now }),
    processAlive: (pid, startTime) => processes.get(pid)?.startTime === startTime,
    audit: {
      async append(input) {
        if (auditControl.failNext) {
          auditControl.failNext = false;
          throw new AgentIdError('ERR_AUDIT_WRITE', 'the audit log refused the row');
        }
        const row = await groupCommit.append(input);
        rows.push(row);
        return row;
      },
      async appendLater(input) {
        const row = await groupCommit.appendLater(input);
        rows.push(row);
        return row;
      },
      prune: (before) => writer.prune(before),
    },
    secrets: async () => secrets,
    secretsStatus: () => ({ backend: 'memory', warning: null }),
    configStatus: () => ({
      file: paths.configFile,
      sha256: null,
      loadedAt: NOW.toISOString(),
      lastError: null,
      restartNeeded: [],
    }),
    monotonicMs: () => monotonic,
    fetch: unused('fetch'),
    connections: () => 0,
    requestShutdown: unused('requestShutdown'),
  };
  onTestFinished(() => {
    writer.close();
    rmSync(root, { recursive: true, force: true });
  });
  return {
    deps,
    rows,
    processes,
    human,
    audit: auditControl,
    log,
    advance: (ms) => {
      monotonic += ms;
    },
  };
}
