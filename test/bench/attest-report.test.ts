import { describe, expect, it } from 'vitest';
import type { AttestBenchResult } from '../../bench/attest.js';
import { renderAttestation } from '../../bench/attest-report.js';

function result(p50Us: number, connectionP50Us = 120): AttestBenchResult {
  return {
    warm: {
      calls: 5000,
      p50Us,
      p99Us: 900,
      connection: { p50Us: connectionP50Us, p99Us: 800 },
      ancestors: 7,
      pinnedBy: 'pidfd',
      repo: true,
    },
    cold: {
      bytes: 98_932_688,
      attestMs: [90, 300, 100],
      sha256sumMs: [200, 210, 190],
      cryptoMs: [50, 60, 40],
    },
  };
}

describe('renderAttestation', () => {
  it('marks the warm p50 target and sets it beside the whoami p50 of the same run', () => {
    const text = renderAttestation(result(150), 0.3).join('\n');
    expect(text).toContain(
      '| warm, first request of a connection | 150 (50% of whoami p50) | 900 | ✅ p50 < 300 µs |',
    );
    expect(text).toContain(
      '| warm, later request of the connection | 120 (40% of whoami p50) | 800 | ✅ p50 < 300 µs |',
    );
    const slow = renderAttestation(result(300, 450), null).join('\n');
    expect(slow).toContain('| warm, first request of a connection | 300 | 900 | ❌ p50 < 300 µs |');
    expect(slow).toContain('| warm, later request of the connection | 450 | 800 | ❌ p50 < 300 µs |');
  });

  it('reports each cold hash as its median and as a ratio of the sha256sum median', () => {
    const text = renderAttestation(result(150), 0.3).join('\n');
    expect(text).toContain(
      '| cold attestation (whole request, hash included) | 100.0 | 0.50× | 90.0 / 300.0 / 100.0 |',
    );
    expect(text).toContain('| `sha256sum` | 200.0 | 1.00× |');
    expect(text).toContain('| node:crypto, one update | 50.0 | 0.25× |');
    expect(text).toContain('98.9 MB executable');
  });
});
