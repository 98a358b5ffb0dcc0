/**
 * The attestation section of BENCH.md. Pure, like report.ts: it sets the warm per-request cost
 * beside the whoami latency measured in the same run (whoami pays it on every request), and the
 * cold hash beside the plain hashes of the same file, as ratios.
 */
import type { AttestBenchResult } from './attest.js';
import { fmtInt, fmtMs, fmtRatio, mark } from './format.js';
import { percentile } from './load.js';

export const TARGET_WARM_P50_US = 300;

/** `whoamiP50Ms`: the daemon's one-client whoami p50 from the same run, or null when there is none. */
export function renderAttestation(result: AttestBenchResult, whoamiP50Ms: number | null): string[] {
  const { warm, cold } = result;
  const share = (us: number) =>
    whoamiP50Ms === null ? '' : ` (${Math.round((us / (whoamiP50Ms * 1000)) * 100)}% of whoami p50)`;
  const row = (name: string, p50Us: number, p99Us: number) =>
    `| ${name} | ${fmtInt(p50Us)}${share(p50Us)} | ${fmtInt(p99Us)} | ` +
    `${mark(p50Us < TARGET_WARM_P50_US)} p50 < ${TARGET_WARM_P50_US} µs |`;
  const toolMs = median(cold.sha256sumMs);
  const coldRow = (name: string, runs: readonly number[]) => {
    const ms = median(runs);
    return `| ${name} | ${fmtMs(ms)} | ${fmtRatio(ms / toolMs)} | ${runs.map(fmtMs).join(' / ')} |`;
  };
  return [
    '## Attestation',
    '',
    `In process, \`createAttestor().attest(peer)\` as the daemon calls it, on a live caller two \`sh -c\` ` +
      `below the bench (${warm.ancestors} ancestors, cwd in a git repo: ${warm.repo ? 'yes' : 'no'}, ` +
      `pinned by ${warm.pinnedBy}, peer credentials from a real Unix socket). Warm: ${fmtInt(warm.calls)} ` +
      'sequential calls of each kind after a warm-up, interleaved, hash cache hot (its digest found by the stat of ' +
      'the executable taken with its image, /proc reads, ancestry and repo checks, the sender check). A later request of a ' +
      'keep-alive connection (what whoami pays at steady state) reuses where the connection is held and ' +
      'the user namespace chain, re-checked, and re-reads the rest (SECURITY.md, "Attest the sender").',
    '',
    '| Attestation per request | p50 µs | p99 µs | Target |',
    '|---|--:|--:|---|',
    row('warm, first request of a connection', warm.p50Us, warm.p99Us),
    row('warm, later request of the connection', warm.connection.p50Us, warm.connection.p99Us),
    '',
    `Cold: the first request of a caller running a ${fmtMB(cold.bytes)} executable (a copy of node), each ` +
      `round with a fresh attestor, median of ${cold.attestMs.length} rounds, the file in the page cache ` +
      '(what is measured is hashing, not the disk). `sha256sum` includes its process start (~1 ms); ' +
      'node:crypto hashes the file read whole in one call. All three digests are checked equal.',
    '',
    '| Cold sha256 | ms | × sha256sum | ms of each run |',
    '|---|--:|--:|---|',
    coldRow('cold attestation (whole request, hash included)', cold.attestMs),
    coldRow('`sha256sum`', cold.sha256sumMs),
    coldRow('node:crypto, one update', cold.cryptoMs),
    '',
    'The cold hash is paid once per executable (keyed by dev, inode, size, mtime, ctime); every later ' +
      'request of a caller running it is warm.',
  ];
}

function median(runs: readonly number[]): number {
  return percentile(
    [...runs].sort((a, b) => a - b),
    0.5,
  );
}

const fmtMB = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
