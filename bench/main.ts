/**
 * `npm run bench`: the composition root of the benchmark, and the only bench module that touches
 * `process` and the console (bench/baseline-server.ts is the other entry point, run as its own
 * minimal process). Sections, all by default, some alone with `node dist/bench/main.js <section>...`:
 * server (the built daemon against a bare node:http baseline in its own process, both loaded alike,
 * every answered whoami checked for its audit row, RSS after 100,000 requests, attestation and audit
 * append in process), policy, helpers (git helper and credential_process: thin sh, Node, gh, git
 * credential-cache, bare node), mcp, audit (the TUI's first screen, verify), startup (CLI commands
 * against bare node), ship (audit shipping on vs off, ship throughput), gateway (added latency per
 * request through the secretless gateway, both modes, against a direct upstream call). It prints the tables and the targets of issue #16 with ✅/❌; a run of all
 * sections also writes them to BENCH.md. Children are stopped and the home removed on success,
 * error or Ctrl-C. `npm run bench -- --only ship` runs the shipping section and replaces only that
 * section of BENCH.md.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../src/config/index.js';
import { benchAttestation } from './attest.js';
import { countAuditRows } from './audit.js';
import { benchAuditAppend, renderAuditAppend, writerUsPerRow } from './audit-append.js';
import { benchAuditView } from './audit-view.js';
import { awsTargets, benchAws, renderAwsBench } from './aws.js';
import { type Child, medianRssKiB, spawnChild, waitForAnswer } from './children.js';
import { benchGateway, type GatewayBenchResult, renderGatewayBench } from './gateway.js';
import { type GatewayClientOptions, runGatewayClient } from './gateway-client.js';
import { benchGitHelper, gitHelperTargets, renderGitHelperBench } from './git-helper.js';
import { type LoadResult, runLoad } from './load.js';
import { benchMcp, renderMcpBench } from './mcp.js';
import { benchPolicy } from './policy.js';
import { renderPolicyBench } from './policy-report.js';
import {
  auditOk,
  type ReportInput,
  type RssReading,
  renderHeader,
  renderNotes,
  renderReport,
  serverTargets,
} from './report.js';
import { benchShip } from './ship.js';
import { renderShipBench, replaceShipSection } from './ship-report.js';
import { benchStartup, renderStartupBench, startupTargets } from './startup.js';
import { renderTargets, type Target } from './targets.js';

/** Runs the gateway bench's measuring client (inside an agentid exec session). */
const GATEWAY_CLIENT_ARG = '--gateway-client';
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
/**
 * Idle is read this long after both servers answered their first request: a daemon's start-up
 * frees memory for a few seconds after it listens (daemon/memory.ts), and idle means settled.
 */
const IDLE_SETTLE_MS = 5_000;
const RSS_SAMPLE_INTERVAL_MS = 100;
const REQUEST_TIMEOUT_MS = 2_000;
/** A bound, not a figure: a daemon that loads the AWS SDK can take this long on a busy 2-core machine. */
const START_TIMEOUT_MS = 60_000;
const POLICY_DECISIONS = 20_000;
const ATTEST_WARM_CALLS = 5_000;
const ATTEST_WARMUP = 200;
const ATTEST_TIME_LIMIT_MS = 20_000;
const ATTEST_COLD_ROUNDS = 5;
const GIT_HELPER_RUNS = 30;
const AWS_RUNS = 30;
const AWS_COLD_ROUNDS = 15;
const STARTUP_RUNS = 20;
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
const GATEWAY_REQUESTS = 1_000;
const GATEWAY_WARMUP = 100;
const GATEWAY_ROUNDS = 10;

const SECTIONS = ['server', 'policy', 'helpers', 'mcp', 'audit', 'startup', 'ship', 'gateway'] as const;
type Section = (typeof SECTIONS)[number];

const selfPath = fileURLToPath(import.meta.url);
const repoRoot = resolve(dirname(selfPath), '../..');
const baselinePath = join(dirname(selfPath), 'baseline-server.js');
const now = () => performance.now();

const asked = process.argv.slice(2);
const unknown = asked.filter((a) => !(SECTIONS as readonly string[]).includes(a));
if (asked[0] === GATEWAY_CLIENT_ARG) {
  const options = JSON.parse(asked[1] ?? '{}') as GatewayClientOptions;
  process.stdout.write(
    `${JSON.stringify(await runGatewayClient(options, process.env, now, (line) => process.stderr.write(`${line}\n`)))}\n`,
  );
} else if (asked[0] === '--only' && asked[1] === 'ship' && asked.length === 2) {
  await shipOnly();
} else if (unknown.length > 0) {
  process.stderr.write(
    `bench: unknown section ${unknown.join(', ')}; sections: ${SECTIONS.join(' ')} (or --only ship)\n`,
  );
  process.exitCode = 2;
} else {
  await main(asked.length > 0 ? (asked as Section[]) : [...SECTIONS]);
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

function gatewaySection(workDir: string): Promise<GatewayBenchResult> {
  return benchGateway({
    workDir,
    repoRoot,
    nodePath: process.execPath,
    // Node refuses --cpu-prof in NODE_OPTIONS; this passes it (or any flag) to the daemon alone.
    daemonNodeArgs: process.env.AGENTID_BENCH_DAEMON_NODE_ARGS?.split(' ').filter(Boolean) ?? [],
    env: process.env,
    clientArgs: (options) => [selfPath, GATEWAY_CLIENT_ARG, JSON.stringify(options)],
    requests: GATEWAY_REQUESTS,
    warmup: GATEWAY_WARMUP,
    rounds: GATEWAY_ROUNDS,
    startTimeoutMs: START_TIMEOUT_MS,
    now,
    progress,
  });
}

function shipOptions(workDir: string) {
  return {
    workDir,
    repoRoot,
    nodePath: process.execPath,
    uid: process.getuid?.() ?? 0,
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

async function main(sections: readonly Section[]): Promise<void> {
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
  const env = {
    date: new Date(),
    node: process.version,
    nproc: execFileSync('nproc', { encoding: 'utf8' }).trim(),
    kernel: release(),
    cpu: cpus()[0]?.model ?? 'unknown CPU',
  };
  const parts: string[][] = [renderHeader(env, sections)];
  const targets: Target[] = [];
  try {
    for (const section of sections) {
      const { text, targets: found } = await runSection(section, home, children);
      parts.push(text);
      targets.push(...found);
    }
    parts.push(
      renderTargets(targets),
      renderNotes({
        elapsedMs: now() - started,
        runLimitMs: RUN_TIME_LIMIT_MS,
        topUpLimitMs: TOP_UP_TIME_LIMIT_MS,
      }),
    );
    const report = `${parts.map((p) => p.join('\n').trimEnd()).join('\n\n')}\n`;
    process.stdout.write(report);
    if (sections.length === SECTIONS.length) writeFileSync(join(repoRoot, 'BENCH.md'), report);
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function runSection(
  section: Section,
  home: string,
  children: Child[],
): Promise<{ text: string[]; targets: Target[] }> {
  const common = { workDir: home, repoRoot, nodePath: process.execPath, now, progress };
  switch (section) {
    case 'server': {
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
      if (!auditOk(input.audit)) {
        process.stderr.write('bench: FAILED: some requests failed or were not audited\n');
        process.exitCode = 1;
      }
      return {
        text: [renderReport(input), ...renderAuditAppend(auditAppend)],
        targets: serverTargets(input, writerUsPerRow(auditAppend)),
      };
    }
    case 'policy': {
      const policy = benchPolicy({ workDir: home, decisions: POLICY_DECISIONS, warmup: 2_000, now });
      return { text: renderPolicyBench(policy), targets: [] };
    }
    case 'helpers': {
      const git = await benchGitHelper({
        ...common,
        runs: GIT_HELPER_RUNS,
        startTimeoutMs: START_TIMEOUT_MS,
      });
      const aws = await benchAws({
        ...common,
        uid: process.getuid?.() ?? 0,
        env: process.env,
        runs: AWS_RUNS,
        coldRounds: AWS_COLD_ROUNDS,
        startTimeoutMs: START_TIMEOUT_MS,
      });
      return {
        text: [...renderGitHelperBench(git), '', ...renderAwsBench(aws)],
        targets: [...gitHelperTargets(git), ...awsTargets(aws)],
      };
    }
    case 'mcp': {
      const mcp = await benchMcp({
        ...common,
        env: process.env,
        calls: MCP_CALLS,
        warmup: 100,
        startTimeoutMs: START_TIMEOUT_MS,
      });
      return { text: renderMcpBench(mcp), targets: [] };
    }
    case 'audit':
      return { text: benchAuditView({ workDir: home, now, progress }), targets: [] };
    case 'startup': {
      const startup = await benchStartup({ ...common, runs: STARTUP_RUNS, startTimeoutMs: START_TIMEOUT_MS });
      return { text: renderStartupBench(startup), targets: startupTargets(startup) };
    }
    case 'ship':
      return { text: renderShipBench(await benchShip(shipOptions(home))), targets: [] };
    case 'gateway':
      return { text: renderGatewayBench(await gatewaySection(home)), targets: [] };
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
    args: [baselinePath, baselineSocket],
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
  await sleep(IDLE_SETTLE_MS);
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
    requestsPerRun: REQUESTS_PER_RUN,
    scenarios,
    rss: {
      idle,
      afterWarmup,
      afterMany,
      goal: RSS_REQUESTS,
      topUpClients: TOP_UP_CONCURRENCY,
      samples: RSS_SAMPLES,
      idleSettleS: IDLE_SETTLE_MS / 1000,
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
