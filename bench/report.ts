/**
 * Turns the raw runs into the markdown BENCH.md holds. Pure: it picks each scenario's median run
 * (machines here are noisy, so one lucky or unlucky run must not be the figure), sets the daemon
 * beside the bare baseline measured in the same run, and marks the targets.
 */
import type { AttestBenchResult } from './attest.js';
import { renderAttestation } from './attest-report.js';
import { fmtInt, fmtMiB, fmtMs, fmtRatio, mark } from './format.js';
import type { LoadResult } from './load.js';
import type { Target } from './targets.js';

/** Issue #16's daemon targets (the hot path that meets them comes after the pipeline of #15). */
export const TARGET_P50_MS = 0.5;
export const TARGET_RPS_16 = 6_000;
export const TARGET_RSS_IDLE_MIB = 90;
/** "Flat after 100,000 requests": at most this growth from the reading after the warm-up. */
export const TARGET_RSS_GROWTH = 1.1;

export interface Environment {
  date: Date;
  node: string;
  nproc: string;
  kernel: string;
  cpu: string;
}

export interface Scenario {
  concurrency: number;
  daemon: readonly LoadResult[];
  baseline: readonly LoadResult[];
}

/** Resident memory of one server (median of a few readings) and the requests it had been sent. */
export interface RssOf {
  kib: number;
  requests: number;
}

/** The daemon and the bare baseline read at the same moment. */
export interface RssReading {
  daemon: RssOf;
  bare: RssOf;
}

export interface ReportInput {
  requestsPerRun: number;
  scenarios: readonly Scenario[];
  /**
   * `afterMany` is read once each server has been sent `goal` requests (fewer if time ran out); what
   * the runs above left short of it went at `topUpClients` clients. Each figure: median of `samples`.
   */
  rss: {
    idle: RssReading;
    afterWarmup: RssReading;
    afterMany: RssReading;
    goal: number;
    topUpClients: number;
    samples: number;
    /** Idle RSS is read this many seconds after start-up, with no traffic. */
    idleSettleS: number;
  };
  audit: { answered: number; failures: number; rowsAdded: number };
  /** Issue 3: the per-request attestation cost every whoami above includes. */
  attest: AttestBenchResult;
}

/** The run with the median throughput; its latencies are reported with it, as measured together. */
export function medianRun(runs: readonly LoadResult[]): LoadResult {
  const sorted = [...runs].sort((a, b) => a.requestsPerSec - b.requestsPerSec);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!median) throw new Error('a scenario has no run');
  return median;
}

export function auditOk(audit: ReportInput['audit']): boolean {
  return audit.failures === 0 && audit.rowsAdded === audit.answered;
}

/** The title of BENCH.md and the machine it was measured on. */
export function renderHeader(env: Environment, sections: readonly string[]): string[] {
  return [
    '# agentid benchmark',
    '',
    `${env.date.toISOString()} · node ${env.node} · nproc ${env.nproc} · Linux ${env.kernel} · ${env.cpu}`,
    '',
    `Sections: ${sections.join(', ')} (\`node dist/bench/main.js <section>...\` runs some alone; ` +
      'only a run of all of them writes BENCH.md).',
  ];
}

export function renderReport(input: ReportInput): string {
  const { scenarios } = input;
  const runs = scenarios[0]?.daemon.length ?? 0;
  const lines = [
    '## Daemon: throughput, latency, memory',
    '',
    `How to read: each row is the median (by req/s) of ${runs} runs of ${fmtInt(input.requestsPerRun)} ` +
      'keep-alive GETs over a Unix socket after a warm-up, client and server sharing this machine; ' +
      '"× bare" divides by a bare node:http server (its own minimal process, bench/baseline-server.ts) ' +
      'measured in the same run by the same client, so it ' +
      'shows what agentid adds (peer credentials, exe attestation, routing, one committed audit row ' +
      'per request). With 16 and 64 clients p50 is mostly queueing (about clients / throughput).',
    '',
    '| Server | Clients | req/s | p50 ms | p99 ms | req/s of each run | Target |',
    '|---|--:|--:|--:|--:|---|---|',
  ];
  for (const scenario of scenarios) {
    const daemon = medianRun(scenario.daemon);
    const bare = medianRun(scenario.baseline);
    lines.push(
      row(
        'agentid `GET /v1/whoami`',
        daemon,
        scenario.daemon,
        [
          `${fmtInt(daemon.requestsPerSec)} (${fmtRatio(daemon.requestsPerSec / bare.requestsPerSec)} bare)`,
          `${fmtMs(daemon.p50Ms)} (${fmtRatio(daemon.p50Ms / bare.p50Ms)} bare)`,
          `${fmtMs(daemon.p99Ms)} (${fmtRatio(daemon.p99Ms / bare.p99Ms)} bare)`,
        ],
        target(daemon),
      ),
      row(
        'bare node:http',
        bare,
        scenario.baseline,
        [fmtInt(bare.requestsPerSec), fmtMs(bare.p50Ms), fmtMs(bare.p99Ms)],
        '',
      ),
    );
  }
  const { rss, audit } = input;
  lines.push(
    '',
    `RSS: VmRSS from /proc, the median of ${rss.samples} readings, both servers read at the same moment; ` +
      `idle is read ${rss.idleSettleS} s after both answered their first request, with no traffic since. ` +
      `The ${fmtInt(rss.goal)} requests are the warm-up, the runs above and a top-up at ` +
      `${rss.topUpClients} clients.`,
    '',
    '| RSS | agentid daemon MiB | its requests | bare node:http MiB | its requests | × bare |',
    '|---|--:|--:|--:|--:|--:|',
    rssRow('idle after start', rss.idle),
    rssRow('after the warm-up', rss.afterWarmup),
    rssRow(`after ${fmtInt(rss.goal)} requests`, rss.afterMany),
    '',
    `Audit: ${fmtInt(audit.answered)} whoami requests answered 200 (${audit.failures} failed), ` +
      `audit rows grew by ${fmtInt(audit.rowsAdded)} ${mark(auditOk(audit))}`,
  );
  if (rss.afterMany.daemon.requests < rss.goal || rss.afterMany.bare.requests < rss.goal) {
    lines.push('', `The top-up hit its time limit before ${fmtInt(rss.goal)} requests: see "its requests".`);
  }
  const short = scenarios
    .flatMap((s) => [...s.daemon, ...s.baseline])
    .filter((r) => r.measured < input.requestsPerRun);
  if (short.length > 0) {
    lines.push(
      '',
      `${short.length} run(s) hit their time limit before ${fmtInt(input.requestsPerRun)} requests.`,
    );
  }
  const oneClient = scenarios.find((s) => s.concurrency === 1);
  lines.push('', ...renderAttestation(input.attest, oneClient ? medianRun(oneClient.daemon).p50Ms : null));
  return `${lines.join('\n')}\n`;
}

/**
 * `appendUsPerRow`: the audit writer's cost per committed row in process (audit-append.ts). With the
 * attestation of a connection's later request, it is the floor of a whoami the sender check and
 * the one-row-per-request rule leave (SECURITY.md), whatever the rest of the daemon does.
 */
export function serverTargets(input: ReportInput, appendUsPerRow: number): Target[] {
  const at = (clients: number) => {
    const scenario = input.scenarios.find((s) => s.concurrency === clients);
    return scenario ? medianRun(scenario.daemon) : undefined;
  };
  const one = at(1);
  const sixteen = at(16);
  const { idle, afterWarmup, afterMany } = input.rss;
  const growth = afterMany.daemon.kib / afterWarmup.daemon.kib;
  const attestUs = input.attest.warm.connection.p50Us;
  const floorUs = attestUs + appendUsPerRow;
  const bare = (clients: number) => {
    const scenario = input.scenarios.find((s) => s.concurrency === clients);
    return scenario ? medianRun(scenario.baseline) : undefined;
  };
  const floor =
    `attestation of a kept connection's request ${fmtInt(attestUs)} µs p50 (sender check included) + ` +
    `one committed audit row ${fmtInt(appendUsPerRow)} µs = ${fmtInt(floorUs)} µs per request, in process`;
  return [
    {
      what: 'daemon `GET /v1/whoami` at 16 clients, an audit row each',
      goal: `≥ ${fmtInt(TARGET_RPS_16)} req/s`,
      figure: sixteen ? `${fmtInt(sixteen.requestsPerSec)} req/s` : 'not measured',
      met: (sixteen?.requestsPerSec ?? 0) >= TARGET_RPS_16,
      bound:
        `${floor}: at most ~${fmtInt(1e6 / floorUs)} req/s on the daemon's one thread before group ` +
        `commit shares the commits; bare node:http ${fmtInt(bare(16)?.requestsPerSec ?? Number.NaN)} req/s`,
    },
    {
      what: 'daemon p50 at 1 client',
      goal: `< ${TARGET_P50_MS} ms`,
      figure: one ? `${fmtMs(one.p50Ms)} ms` : 'not measured',
      met: (one?.p50Ms ?? Number.POSITIVE_INFINITY) < TARGET_P50_MS,
      bound: `${floor}, over bare node:http's own ${fmtMs(bare(1)?.p50Ms ?? Number.NaN)} ms`,
    },
    {
      what: 'daemon RSS idle',
      goal: `≤ ${TARGET_RSS_IDLE_MIB} MiB`,
      figure: `${fmtMiB(idle.daemon.kib)} MiB (bare node:http ${fmtMiB(idle.bare.kib)} MiB)`,
      met: idle.daemon.kib / 1024 <= TARGET_RSS_IDLE_MIB,
      bound:
        `bare node ${fmtMiB(idle.bare.kib)} MiB, plus Cedar's WebAssembly, better-sqlite3, jose and the daemon's ` +
        'modules, which a daemon needs before its first request (README, "What is not done yet")',
    },
    {
      what: `daemon RSS flat after ${fmtInt(input.rss.goal)} requests`,
      goal: `≤ ${fmtRatio(TARGET_RSS_GROWTH)} of after the warm-up`,
      figure: `${fmtMiB(afterMany.daemon.kib)} MiB after ${fmtInt(afterMany.daemon.requests)}, ${fmtRatio(growth)}`,
      met: growth <= TARGET_RSS_GROWTH && afterMany.daemon.requests >= input.rss.goal,
    },
  ];
}

/** How long the whole bench took and what keeps it bounded on a slow or busy machine. */
export function renderNotes(run: { elapsedMs: number; runLimitMs: number; topUpLimitMs: number }): string[] {
  const seconds = (ms: number) => fmtInt(ms / 1000);
  return [
    '## Notes',
    '',
    `This whole bench took ${seconds(run.elapsedMs)} s (the build before it not counted). It stays ` +
      `bounded: each load run stops after ${seconds(run.runLimitMs)} s even short of its requests (such ` +
      `runs are counted above), the RSS top-up after ${seconds(run.topUpLimitMs)} s, and every other ` +
      'section has a fixed count of rounds. For the 64-client runs, the 100,000-request RSS reading and ' +
      'the audit append section, nothing else was cut.',
  ];
}

function rssRow(moment: string, r: RssReading): string {
  return (
    `| ${moment} | ${fmtMiB(r.daemon.kib)} | ${fmtInt(r.daemon.requests)} | ${fmtMiB(r.bare.kib)} | ` +
    `${fmtInt(r.bare.requests)} | ${fmtRatio(r.daemon.kib / r.bare.kib)} |`
  );
}

function row(name: string, median: LoadResult, runs: readonly LoadResult[], figures: string[], goal: string) {
  const each = runs.map((r) => fmtInt(r.requestsPerSec)).join(' / ');
  return `| ${name} | ${median.concurrency} | ${figures.join(' | ')} | ${each} | ${goal} |`;
}

/** p50 is judged for one client: with 16 in flight, p50 is queueing (about 16 / throughput). */
function target(run: LoadResult): string {
  if (run.concurrency === 1) return `${mark(run.p50Ms < TARGET_P50_MS)} p50 < ${TARGET_P50_MS} ms`;
  if (run.concurrency === 16) {
    return `${mark(run.requestsPerSec >= TARGET_RPS_16)} ≥ ${fmtInt(TARGET_RPS_16)} req/s`;
  }
  return '';
}
