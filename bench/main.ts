/**
 * `npm run bench`: the composition root of the foundation benchmark, and the only bench module that
 * touches `process` and the console. It starts the built daemon in a throwaway AGENTID_HOME and a
 * bare node:http baseline (this same file, run with BASELINE_ARG), loads both alike, checks that
 * every answered whoami left its audit row, measures attestation in process (bench/attest.ts), prints
 * the tables and writes them to BENCH.md. Both children are stopped and the home removed on success,
 * error or Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../src/config/index.js';
import { benchAttestation } from './attest.js';
import { countAuditRows } from './audit.js';
import { benchAuditView } from './audit-view.js';
import { benchAws, renderAwsBench } from './aws.js';
import { serveBaseline } from './baseline-server.js';
import { type Child, rssKiB, spawnChild, waitForAnswer } from './children.js';
import { benchGitHelper, renderGitHelperBench } from './git-helper.js';
import { type LoadResult, runLoad } from './load.js';
import { benchMcp, renderMcpBench } from './mcp.js';
import { benchPolicy } from './policy.js';
import { renderPolicyBench } from './policy-report.js';
import { auditOk, type ReportInput, renderReport } from './report.js';

const BASELINE_ARG = '--baseline-server';
const ROUNDS = 3;
const CONCURRENCY = [1, 16] as const;
const REQUESTS_PER_RUN = 10_000;
const WARMUP_PER_RUN = 200;
const RUN_TIME_LIMIT_MS = 6_000;
/** Sent once to each server before the rounds: JIT warm-up, and the daemon's RSS is read after it. */
const WARMUP_REQUESTS = 10_000;
const WARMUP_CONCURRENCY = 16;
const WARMUP_TIME_LIMIT_MS = 10_000;
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

const selfPath = fileURLToPath(import.meta.url);
const repoRoot = resolve(dirname(selfPath), '../..');
const now = () => performance.now();

if (process.argv[2] === BASELINE_ARG) {
  const socketPath = process.argv[3];
  if (!socketPath) throw new Error(`usage: ${selfPath} ${BASELINE_ARG} <socket>`);
  // Runs until the parent's SIGTERM, whose default action is the clean exit it needs.
  await serveBaseline(socketPath);
} else {
  await main();
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
  try {
    const input = await bench(home, children);
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
    const report =
      `${renderReport(input).trimEnd()}\n\n${renderPolicyBench(policy).join('\n')}\n\n` +
      `${renderGitHelperBench(gitHelper).join('\n')}\n\n${renderAwsBench(aws).join('\n')}\n\n` +
      `${benchAuditView({ workDir: home, now, progress }).join('\n')}\n\n${renderMcpBench(mcp).join('\n')}\n`;
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

  const rowsBefore = countAuditRows(auditDb);
  const idle = rssKiB(daemon.pid);
  const baselineIdle = rssKiB(baseline.pid);
  progress(`warm-up: ${WARMUP_REQUESTS} requests to each server`);
  const warm = await warmUp(whoami);
  const afterWarmup = rssKiB(daemon.pid);
  await warmUp(bare);

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

  const daemonRuns = [warm, ...scenarios.flatMap((s) => s.daemon)];
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
    rssKiB: { idle, afterWarmup, end: rssKiB(daemon.pid), baselineIdle },
    warmupRequests: warm.answered,
    audit: {
      answered: daemonRuns.reduce((sum, r) => sum + r.answered, 0),
      failures: daemonRuns.reduce((sum, r) => sum + r.failures, 0),
      rowsAdded: countAuditRows(auditDb) - rowsBefore,
    },
    attest,
  };
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}
