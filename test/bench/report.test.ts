import { describe, expect, it } from 'vitest';
import type { LoadResult } from '../../bench/load.js';
import {
  type ReportInput,
  type RssReading,
  renderNotes,
  renderReport,
  serverTargets,
} from '../../bench/report.js';
import { renderTargets } from '../../bench/targets.js';

function load(concurrency: number, requestsPerSec: number, p50Ms: number): LoadResult {
  return {
    concurrency,
    answered: 10_200,
    failures: 0,
    measured: 10_000,
    requestsPerSec,
    p50Ms,
    p99Ms: p50Ms * 4,
  };
}

function reading(
  daemonMiB: number,
  daemonRequests: number,
  bareMiB: number,
  bareRequests: number,
): RssReading {
  return {
    daemon: { kib: daemonMiB * 1024, requests: daemonRequests },
    bare: { kib: bareMiB * 1024, requests: bareRequests },
  };
}

function input(afterMany: RssReading): ReportInput {
  return {
    requestsPerRun: 10_000,
    scenarios: [1, 16, 64].map((c) => ({
      concurrency: c,
      daemon: [load(c, 1_000, 1), load(c, 2_000, 2), load(c, 3_000, 3)],
      baseline: [load(c, 10_000, 0.5)],
    })),
    rss: {
      idle: reading(160, 0, 100, 0),
      afterWarmup: reading(200, 10_000, 110, 10_000),
      afterMany,
      goal: 100_000,
      topUpClients: 16,
      samples: 5,
      idleSettleS: 5,
    },
    audit: { answered: 100_000, failures: 0, rowsAdded: 100_000 },
    attest: {
      warm: {
        calls: 1,
        p50Us: 100,
        p99Us: 200,
        connection: { p50Us: 50, p99Us: 100 },
        ancestors: 3,
        pinnedBy: 'pidfd',
        repo: true,
      },
      cold: { bytes: 1, attestMs: [1], sha256sumMs: [1], cryptoMs: [1] },
    },
  };
}

describe('renderReport', () => {
  it('reports 64 clients beside its bare baseline, median run by req/s', () => {
    const text = renderReport(input(reading(210, 100_000, 120, 101_800)));
    expect(text).toContain(
      '| agentid `GET /v1/whoami` | 64 | 2,000 (0.20× bare) | 2.00 (4.00× bare) | 8.00 (4.00× bare) | ' +
        '1,000 / 2,000 / 3,000 |  |',
    );
    expect(text).toContain('| bare node:http | 64 | 10,000 | 0.50 | 2.00 | 10,000 |  |');
  });

  it('sets the daemon RSS beside the bare server read at the same moment, with each one’s requests', () => {
    const text = renderReport(input(reading(210, 100_000, 120, 101_800)));
    expect(text).toContain('| idle after start | 160.0 | 0 | 100.0 | 0 | 1.60× |');
    expect(text).toContain('| after the warm-up | 200.0 | 10,000 | 110.0 | 10,000 | 1.82× |');
    expect(text).toContain('| after 100,000 requests | 210.0 | 100,000 | 120.0 | 101,800 | 1.75× |');
    expect(text).not.toContain('top-up hit its time limit');
  });

  it('says so when the top-up ran out of time before the goal', () => {
    const text = renderReport(input(reading(210, 93_000, 120, 101_800)));
    expect(text).toContain('| after 100,000 requests | 210.0 | 93,000 |');
    expect(text).toContain('The top-up hit its time limit before 100,000 requests');
  });
});

describe('renderNotes', () => {
  it('states the run time and the bounds that keep it bounded', () => {
    const text = renderNotes({ elapsedMs: 201_400, runLimitMs: 6_000, topUpLimitMs: 60_000 }).join('\n');
    expect(text).toContain('This whole bench took 201 s');
    expect(text).toContain('each load run stops after 6 s');
    expect(text).toContain('the RSS top-up after 60 s');
  });
});

describe('serverTargets', () => {
  it('gives an unmet target what bounds it: the attestation and audit row of the same run, and bare node:http', () => {
    const targets = serverTargets(input(reading(210, 100_000, 120, 101_800)), 150);
    const throughput = targets.find((t) => t.what.includes('16 clients'));
    expect(throughput?.met).toBe(false);
    // 50 µs (a kept connection's attestation) + 150 µs (one audit row) = 200 µs: 5,000 req/s on one thread.
    expect(throughput?.bound).toContain('= 200 µs per request');
    expect(throughput?.bound).toContain('~5,000 req/s');
    expect(throughput?.bound).toContain('bare node:http 10,000 req/s');
    const table = renderTargets(targets).join('\n');
    expect(table).toContain('| What bounds it (figures of this run) |');
    expect(table).toContain(`| ${throughput?.bound} |`);
  });
});
