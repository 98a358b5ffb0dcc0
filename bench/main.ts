/**
 * `npm run bench`: the composition root of the foundation benchmark, and the only bench module that
 * touches `process` and the console. It starts the built daemon in a throwaway AGENTID_HOME and a
 * bare node:http baseline (this same file, run with BASELINE_ARG), loads both alike, checks that
 * every answered whoami left its audit row, drives each server to 100,000 requests for the RSS figure,
 * measures attestation and audit append in process (bench/attest.ts, bench/audit-append.ts), prints
 * the tables and writes them to BENCH.md. Both children are stopped and the home removed on success,
 * error or Ctrl-C. `npm run bench -- --only ship` runs the audit shipping section alone and
 * replaces only that section of BENCH.md.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../src/config/index.js';
import { benchAttestation } from './attest.js';
import { countAuditRows } from './audit.js';
import { benchAuditAppend, renderAuditAppend } from './audit-append.js';
import { benchAuditView } from './audit-view.js';
import { benchAws, renderAwsBench } from './aws.js';
import { serveBaseline } from './baseline-server.js';
import { type Child, medianRssKiB, spawnChild, waitForAnswer } from './children.js';
import { benchGitHelper, renderGitHelperBench } from './git-helper.js';
import { type LoadResult, runLoad } from './load.js';
import { benchMcp, renderMcpBench } from './mcp.js';
import { benchPolicy } from './policy.js';
import { renderPolicyBench } from './policy-report.js';
import { auditOk, type ReportInput, type RssReading, renderNotes, renderReport } from './report.js';
import { benchShip } from './ship.js';
import { renderShipBench, replaceShipSection } from './ship-report.js';

const BASELINE_ARG = '--baseline-server';
const ROUNDS = 3;
const CONCURRENCY = [1, 16, 64] as const;
const REQUESTS_PER_RUN = 10_000;
const WARMUP_PER_RUN = 200;
const RUN_TIME_LIMIT_MS = 6_000;
/** Sent once to each server before the rounds: JIT warm-up, and the daemon's RSS is read after it. */
const WARMUP_REQUESTS = 10_000;
const WARMUP_CONCURRENCY = 16;
const WARMUP_TIME_LIMIT_MS = 10_000;
/** Each server's RSS is read again once it has been sent this many requests in all. */
const RSS_REQUESTS = 100_000;
/** The requests the rounds left short of RSS_REQUESTS go at this many clients, within this bound. */
const TOP_UP_CONCURRENCY = 16;
const TOP_UP_TIME_LIMIT_MS = 60_000;
const RSS_SAMPLES = 5;
const RSS_SAMPLE_INTERVAL_MS = 100;
const REQUEST_TIMEOUT_MS = 2_000;
const START_TIMEOUT_MS = 10_000;
const POLICY_DECISIONS = 20_000;
const ATTEST_WARM_CALLS = 5_000;
const ATTEST_WARMUP = 200;
const ATTEST_TIME_LIMIT_MS = 20_000;
const ATTEST_COLD_ROUNDS = 5;
const GIT_HELPER_RUNS = 30;
const AWS_RUNS = 30;
const AWS_COLD_ROUNDS = 15;
const MCP_CALLS = 1_000;
const AUDIT_APPEND_ROWS = 5_000;
const AUDIT_APPEND_ROUNDS = 5;
const AUDIT_APPEND_WARMUP = 1_000;
const SHIP_ROUNDS = 5;
const SHIP_REQUESTS = 5_000;
const SHIP_CONCURRENCY = 16;
const SHIP_BACKLOG_ROWS = 50_000;
const SHIP_THROUGHPUT_ROUNDS = 3;
/** A daemon opening a 50,000-row log on a busy machine can take longer than the other sections allow. */
const SHIP_START_TIMEOUT_MS = 60_000;

const selfPath = fileURLToPath(import.meta.url);
const repoRoot = resolve(dirname(selfPath), '../..');
const now = () => performance.now();

if (process.argv[2] === BASELINE_ARG) {
  const socketPath = process.argv[3];
  if (!socketPath) throw new Error(`usage: ${selfPath} ${BASELINE_ARG} <socket>`);
  // Runs until the parent's SIGTERM, whose default action is the clean exit it needs.
  await serveBaseline(socketPath);
} else if (process.argv[2] === '--only' && process.argv[3] === 'ship') {
  await shipOnly();
} else if (process.argv[2] === '--only') {
  throw new Error(`usage: npm run bench [-- --only ship] (unknown section ${process.argv[3]})`);
} else {
  await main();
}

/** The audit shipping section alone: printed, and put in place of its section of BENCH.md. */
async function shipOnly(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'agentid-bench-'));
  try {
    const section = renderShipBench(await benchShip(shipOptions(home)));
    process.stdout.write(`${section.join('\n')}\n`);
    const file = join(repoRoot, 'BENCH.md');
    writeFileSync(file, replaceShipSection(existsSync(file) ? readFileSync(file, 'utf8') : '', section));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

function shipOptions(workDir: string) {
  return {
    workDir,
    repoRoot,
    nodePath: process.execPath,
    env: process.env,
    rounds: SHIP_ROUNDS,
    requests: SHIP_REQUESTS,
    concurrency: SHIP_CONCURRENCY,
    backlogRows: SHIP_BACKLOG_ROWS,
    throughputRounds: SHIP_THROUGHPUT_ROUNDS,
    startTimeoutMs: SHIP_START_TIMEOUT_MS,
    now,
    progress,
  };
}

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'agentid-bench-'));
  const children: Child[] = [];
  const cleanup = async () => {
    await Promise.all(children.map((child) => child.stop()));
    rmSync(home, { recursive: true, force: true });
  };
  const onSignal = () => {
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = now();
  try {
    const input = await bench(home, children);
    const auditAppend = benchAuditAppend({
      workDir: home,
      sourceDb: join(home, 'state', 'audit.db'),
      rows: AUDIT_APPEND_ROWS,
      rounds: AUDIT_APPEND_ROUNDS,
      warmupRows: AUDIT_APPEND_WARMUP,
      auditDeps: { now: () => new Date(), randomUUID },
      now,
      progress,
    });
    const policy = benchPolicy({ workDir: home, decisions: POLICY_DECISIONS, warmup: 2_000, now });
    const gitHelper = await benchGitHelper({
      workDir: home,
      repoRoot,
      nodePath: process.execPath,
      runs: GIT_HELPER_RUNS,
      startTimeoutMs: START_TIMEOUT_MS,
      now,
      progress,
    });
    const aws = await benchAws({
      workDir: home,
      repoRoot,
      nodePath: process.execPath,
      env: process.env,
      runs: AWS_RUNS,
      coldRounds: AWS_COLD_ROUNDS,
      startTimeoutMs: START_TIMEOUT_MS,
      now,
      progress,
    });
    const mcp = await benchMcp({
      workDir: home,
      repoRoot,
      nodePath: process.execPath,
      env: process.env,
      calls: MCP_CALLS,
      warmup: 100,
      startTimeoutMs: START_TIMEOUT_MS,
      now,
      progress,
    });
    const auditView = benchAuditView({ workDir: home, now, progress });
    const ship = await benchShip(shipOptions(home));
    const notes = renderNotes({
      elapsedMs: now() - started,
      runLimitMs: RUN_TIME_LIMIT_MS,
      topUpLimitMs: TOP_UP_TIME_LIMIT_MS,
    });
    const report =
      `${renderReport(input).trimEnd()}\n\n${renderPolicyBench(policy).join('\n')}\n\n` +
      `${renderGitHelperBench(gitHelper).join('\n')}\n\n${renderAwsBench(aws).join('\n')}\n\n` +
      `${renderAuditAppend(auditAppend).join('\n')}\n\n` +
      `${auditView.join('\n')}\n\n${renderMcpBench(mcp).join('\n')}\n\n${renderShipBench(ship).join('\n')}\n\n` +
      `${notes.join('\n')}\n`;
    process.stdout.write(report);
    writeFileSync(join(repoRoot, 'BENCH.md'), report);
    if (!auditOk(input.audit)) {
      process.stderr.write('bench: FAILED: some requests failed or were not audited\n');
      process.exitCode = 1;
    }
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function bench(home: string, children: Child[]): Promise<ReportInput> {
  const socket = join(home, 'run', 'agentid.sock');
  const auditDb = join(home, 'state', 'audit.db');
  const baselineSocket = join(home, 'baseline.sock');

  const daemon = spawnChild({
    execPath: process.execPath,
    args: [join(repoRoot, 'dist', 'cli', 'main.js'), 'daemon', 'run'],
    env: { ...process.env, AGENTID_HOME: home },
  });
  children.push(daemon);
  const baseline = spawnChild({
    execPath: process.execPath,
    args: [selfPath, BASELINE_ARG, baselineSocket],
    env: process.env,
  });
  children.push(baseline);
  const [status] = await Promise.all([
    waitForAnswer(daemon, socket, '/v1/status', START_TIMEOUT_MS, now),
    waitForAnswer(baseline, baselineSocket, '/', START_TIMEOUT_MS, now),
  ]);
  // RSS must be the daemon's own, not that of a wrapper process that started it.
  const reportedPid = (status as { pid?: unknown }).pid;
  if (reportedPid !== daemon.pid)
    throw new Error(`the daemon reports pid ${reportedPid}, spawned ${daemon.pid}`);

  const whoami = { socketPath: socket, path: '/v1/whoami' };
  const bare = { socketPath: baselineSocket, path: '/' };
  const common = { requestTimeoutMs: REQUEST_TIMEOUT_MS, now };
  const warmUp = (target: typeof whoami) =>
    runLoad({
      ...target,
      ...common,
      concurrency: WARMUP_CONCURRENCY,
      warmup: 0,
      requests: WARMUP_REQUESTS,
      timeLimitMs: WARMUP_TIME_LIMIT_MS,
    });
  const measure = (target: typeof whoami, concurrency: number) =>
    runLoad({
      ...target,
      ...common,
      concurrency,
      warmup: WARMUP_PER_RUN,
      requests: REQUESTS_PER_RUN,
      timeLimitMs: RUN_TIME_LIMIT_MS,
    });

  // Both servers at the same moment, each after the same traffic.
  const readRss = async (requests: { daemon: number; bare: number }): Promise<RssReading> => {
    const [daemonKiB, bareKiB] = await Promise.all([
      medianRssKiB(daemon.pid, RSS_SAMPLES, RSS_SAMPLE_INTERVAL_MS),
      medianRssKiB(baseline.pid, RSS_SAMPLES, RSS_SAMPLE_INTERVAL_MS),
    ]);
    return {
      daemon: { kib: daemonKiB, requests: requests.daemon },
      bare: { kib: bareKiB, requests: requests.bare },
    };
  };

  const rowsBefore = countAuditRows(auditDb);
  const idle = await readRss({ daemon: 0, bare: 0 });
  progress(`warm-up: ${WARMUP_REQUESTS} requests to each server`);
  const warm = await warmUp(whoami);
  const bareWarm = await warmUp(bare);
  const afterWarmup = await readRss({ daemon: sent([warm]), bare: sent([bareWarm]) });

  const scenarios = CONCURRENCY.map((concurrency) => ({
    concurrency,
    daemon: [] as LoadResult[],
    baseline: [] as LoadResult[],
  }));
  for (let round = 1; round <= ROUNDS; round++) {
    // Interleaved, so a noisy spell of the machine hits the daemon and its baseline alike.
    for (const scenario of scenarios) {
      progress(`round ${round}/${ROUNDS}: ${scenario.concurrency} client(s)`);
      scenario.baseline.push(await measure(bare, scenario.concurrency));
      scenario.daemon.push(await measure(whoami, scenario.concurrency));
    }
  }

  // What the warm-up and the rounds sent counts, so each server is read at RSS_REQUESTS or just past.
  const topUp = async (target: typeof whoami, runs: LoadResult[]): Promise<LoadResult[]> => {
    const missing = RSS_REQUESTS - sent(runs);
    if (missing <= 0) return runs;
    progress(`top-up: ${missing} requests to ${target.path} for ${RSS_REQUESTS} in all`);
    const run = await runLoad({
      ...target,
      ...common,
      concurrency: TOP_UP_CONCURRENCY,
      warmup: 0,
      requests: missing,
      timeLimitMs: TOP_UP_TIME_LIMIT_MS,
    });
    return [...runs, run];
  };
  const daemonRuns = await topUp(whoami, [warm, ...scenarios.flatMap((s) => s.daemon)]);
  const bareRuns = await topUp(bare, [bareWarm, ...scenarios.flatMap((s) => s.baseline)]);
  const afterMany = await readRss({ daemon: sent(daemonRuns), bare: sent(bareRuns) });
  // After the load, in this process: the daemon sits idle and does not compete for the CPU.
  const attest = await benchAttestation({
    workDir: join(home, 'attest'),
    nodePath: process.execPath,
    cwd: repoRoot,
    env: process.env,
    maxHashBytes: defaultConfig().attest.maxHashBytes,
    warmCalls: ATTEST_WARM_CALLS,
    warmup: ATTEST_WARMUP,
    warmTimeLimitMs: ATTEST_TIME_LIMIT_MS,
    coldRounds: ATTEST_COLD_ROUNDS,
    startTimeoutMs: START_TIMEOUT_MS,
    now,
    progress,
  });
  return {
    env: {
      date: new Date(),
      node: process.version,
      nproc: execFileSync('nproc', { encoding: 'utf8' }).trim(),
      kernel: release(),
      cpu: cpus()[0]?.model ?? 'unknown CPU',
    },
    requestsPerRun: REQUESTS_PER_RUN,
    scenarios,
    rss: {
      idle,
      afterWarmup,
      afterMany,
      goal: RSS_REQUESTS,
      topUpClients: TOP_UP_CONCURRENCY,
      samples: RSS_SAMPLES,
    },
    audit: {
      answered: daemonRuns.reduce((sum, r) => sum + r.answered, 0),
      failures: daemonRuns.reduce((sum, r) => sum + r.failures, 0),
      rowsAdded: countAuditRows(auditDb) - rowsBefore,
    },
    attest,
  };
}

/** Requests sent, answered or not: each reached the server and may have grown its heap. */
function sent(runs: readonly LoadResult[]): number {
  return runs.reduce((sum, r) => sum + r.answered + r.failures, 0);
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}
