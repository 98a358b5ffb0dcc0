/**
 * The audit shipping section of BENCH.md. Pure: medians of the rounds, the on/off ratio against
 * its target, and the ship rates; when the section runs alone it replaces its own part of the file.
 */
import { fmtInt, fmtMs, fmtRatio, mark } from './format.js';
import type { LoadResult } from './load.js';
import { medianRun } from './report.js';
import type { ShipBenchResult } from './ship.js';

export const SHIP_HEADING = '## Audit shipping';
/** Issuance with shipping on must keep this share of its throughput without. */
export const TARGET_ON_OFF = 0.95;

export function renderShipBench(r: ShipBenchResult): string[] {
  if ('skipped' in r) return [SHIP_HEADING, '', `Skipped: ${r.skipped}.`];
  const off = medianRun(r.off);
  const on = medianRun(r.on);
  const ratio = on.requestsPerSec / off.requestsPerSec;
  const each = (runs: readonly LoadResult[]) => runs.map((x) => fmtInt(x.requestsPerSec)).join(' / ');
  const rate = (runs: readonly { eventsPerSec: number }[]) => median(runs.map((x) => x.eventsPerSec));
  const rates = (runs: readonly { eventsPerSec: number }[]) =>
    runs.map((x) => fmtInt(x.eventsPerSec)).join(' / ');
  return [
    SHIP_HEADING,
    '',
    `Issuance: POST /v1/token (policy decision, agent JWT, one committed audit row) at ${r.concurrency} clients, ${fmtInt(r.requests)} requests a round, ${r.off.length} rounds interleaved, to a daemon that ships nothing and to one that ships every row to a real rsyslog over TCP (RFC 5424, octet-counted) and to an OCSF JSON-lines file; after each round the shipping daemon is let catch up. Medians by req/s.`,
    '',
    '| Daemon | req/s | p50 ms | p99 ms | req/s of each round | Target |',
    '|---|--:|--:|--:|---|---|',
    `| shipping off | ${fmtInt(off.requestsPerSec)} | ${fmtMs(off.p50Ms)} | ${fmtMs(off.p99Ms)} | ${each(r.off)} |  |`,
    `| shipping on (syslog + file) | ${fmtInt(on.requestsPerSec)} (${(ratio * 100).toFixed(1)}% of off) | ${fmtMs(on.p50Ms)} | ${fmtMs(on.p99Ms)} | ${each(r.on)} | ${mark(ratio >= TARGET_ON_OFF)} ≥ ${TARGET_ON_OFF * 100}% of off |`,
    '',
    `CPU per request, the daemon's whole process (request path and shipping worker; with shipping on, counted until the shipper has caught up), median of the rounds: off ${cpu(r.cpuMsPerRequest.off)} ms, on ${cpu(r.cpuMsPerRequest.on)} ms (${fmtRatio(median(r.cpuMsPerRequest.on) / median(r.cpuMsPerRequest.off))}). Unlike req/s, CPU time barely moves with what else the machine runs.`,
    '',
    `Ship throughput: ${fmtInt(r.backlogRows)} rows committed before the daemon starts, shipped from cursor 0 by its worker thread; events/s from the daemon's status (cursor over time, start-up excluded), median of ${r.syslog.length} rounds; afterwards the collector held every row.`,
    '',
    '| Sink | events/s | events/s of each round |',
    '|---|--:|---|',
    `| syslog tcp:// → rsyslog (imtcp, omfile) | ${fmtInt(rate(r.syslog))} | ${rates(r.syslog)} |`,
    `| OCSF JSON-lines file | ${fmtInt(rate(r.file))} | ${rates(r.file)} |`,
  ];
}

/** BENCH.md with its shipping section replaced by `section` (appended when it has none). */
export function replaceShipSection(markdown: string, section: readonly string[]): string {
  const start = markdown.indexOf(`\n${SHIP_HEADING}\n`);
  const text = section.join('\n');
  if (start === -1) return `${markdown.trimEnd()}\n\n${text}\n`;
  const next = markdown.indexOf('\n## ', start + 1);
  const rest = next === -1 ? '' : markdown.slice(next);
  return `${markdown.slice(0, start + 1)}${text}\n${rest}`;
}

const cpu = (values: readonly number[]) => median(values).toFixed(3);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}
