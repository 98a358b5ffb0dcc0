import { describe, expect, it } from 'vitest';
import type { LoadResult } from '../../bench/load.js';
import { renderShipBench, replaceShipSection } from '../../bench/ship-report.js';

const run = (requestsPerSec: number): LoadResult => ({
  concurrency: 16,
  answered: 5_200,
  failures: 0,
  measured: 5_000,
  requestsPerSec,
  p50Ms: 8,
  p99Ms: 20,
});

const result = (on: number[]) => ({
  concurrency: 16,
  requests: 5_000,
  off: [run(1_900), run(2_000), run(2_100)],
  on: on.map(run),
  cpuMsPerRequest: { off: [0.5, 0.6, 0.4], on: [0.55, 0.5, 0.6] },
  backlogRows: 50_000,
  syslog: [
    { eventsPerSec: 30_000, received: 50_000 },
    { eventsPerSec: 10_000, received: 50_000 },
    { eventsPerSec: 20_000, received: 50_000 },
  ],
  file: [{ eventsPerSec: 40_000, received: 50_000 }],
});

describe('the audit shipping section', () => {
  it('sets the median with shipping beside the median without, against 95%', () => {
    const within = renderShipBench(result([1_850, 1_950, 2_050])).join('\n');
    expect(within).toContain('| shipping on (syslog + file) | 1,950 (97.5% of off) |');
    expect(within).toContain('✅ ≥ 95% of off');
    expect(renderShipBench(result([1_800, 1_850, 1_880])).join('\n')).toContain('1,850 (92.5% of off)');
    expect(renderShipBench(result([1_800, 1_850, 1_880])).join('\n')).toContain('❌ ≥ 95% of off');
    expect(within).toContain(
      '| syslog tcp:// → rsyslog (imtcp, omfile) | 20,000 | 30,000 / 10,000 / 20,000 |',
    );
    expect(within).toContain('off 0.500 ms, on 0.550 ms (1.10×)');
  });

  it('says why it was skipped', () => {
    expect(renderShipBench({ skipped: 'rsyslogd is not installed' })).toEqual([
      '## Audit shipping',
      '',
      'Skipped: rsyslogd is not installed.',
    ]);
  });

  it('replaces only its own section of BENCH.md, or appends it', () => {
    const before = '# agentid benchmark\n\n## MCP proxy\n\nx\n\n## Audit shipping\n\nold\n\n## Notes\n\nn\n';
    expect(replaceShipSection(before, ['## Audit shipping', '', 'new'])).toBe(
      '# agentid benchmark\n\n## MCP proxy\n\nx\n\n## Audit shipping\n\nnew\n\n## Notes\n\nn\n',
    );
    expect(replaceShipSection('# b\n\n## Notes\n\nn\n', ['## Audit shipping', '', 'new'])).toBe(
      '# b\n\n## Notes\n\nn\n\n## Audit shipping\n\nnew\n',
    );
  });
});
