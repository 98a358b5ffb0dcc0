/**
 * Issue 3's attestation benchmark, in process, through the same `createAttestor` the daemon uses:
 * what `attest(peer)` costs per request once its caches are warm, for a connection's first request
 * and for a later request of the same keep-alive connection (what the daemon pays at steady state,
 * with the connection's ConnectionMemo, the sender check and the re-reads included), and
 * what the one cold sha256 of a ~100 MB executable costs. The cold figure only means something
 * beside a plain hash of the same file, so `sha256sum` and a one-shot node:crypto hash are measured
 * in the same run, interleaved with it. The executable is a copy of node, run from a scratch dir
 * (like the acceptance test's agent binary), so its hash is nobody else's cached result.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Attestation, type ConnectionMemo, createAttestor } from '../src/attest/index.js';
import type { PeerCredentials } from '../src/peer/index.js';
import { startAttestPeer } from './attest-peer.js';
import { percentile } from './load.js';

export interface AttestBenchOptions {
  /** Scratch dir for the executable copy and the socket; created here and removed afterwards. */
  workDir: string;
  /** The node binary to copy and run as the caller. */
  nodePath: string;
  /** The caller's cwd: a git repository, so the repo lookup is part of the cost, as for an agent. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  maxHashBytes: number;
  warmCalls: number;
  /** Calls before the warm measurement: fill the caches and warm the JIT. */
  warmup: number;
  /** Bounds the warm measurement even when warmCalls is not reached. */
  warmTimeLimitMs: number;
  coldRounds: number;
  startTimeoutMs: number;
  now: () => number;
  progress: (message: string) => void;
}

export interface AttestBenchResult {
  warm: {
    calls: number;
    /** A connection's first request: the full attestation, every cache of the attestor hot. */
    p50Us: number;
    p99Us: number;
    /** A later request of the same connection (same calls, interleaved with the above). */
    connection: { p50Us: number; p99Us: number };
    /** Of the attested caller, to show the walk measured is a realistic one. */
    ancestors: number;
    pinnedBy: Attestation['pinnedBy'];
    repo: boolean;
  };
  cold: {
    bytes: number;
    /** One entry per round each, in round order. */
    attestMs: number[];
    sha256sumMs: number[];
    cryptoMs: number[];
  };
}

export async function benchAttestation(opts: AttestBenchOptions): Promise<AttestBenchResult> {
  mkdirSync(opts.workDir, { recursive: true });
  const exe = join(opts.workDir, 'agent-node');
  copyFileSync(opts.nodePath, exe);
  try {
    const caller = await startAttestPeer({
      execPath: exe,
      socketPath: join(opts.workDir, 'peer.sock'),
      cwd: opts.cwd,
      env: opts.env,
      timeoutMs: opts.startTimeoutMs,
    });
    try {
      const cold = await measureCold(opts, exe, caller.peer);
      const warm = await measureWarm(opts, caller.peer);
      // Two shells between the bench and the caller: the ancestry walked is the nested one.
      if (warm.attestation.ancestors[1]?.pid !== caller.shell.pid) {
        throw new Error(
          `attested pid ${caller.peer.pid} is not the caller started under ${caller.shell.pid}`,
        );
      }
      return { cold, warm: warm.result };
    } finally {
      await caller.close();
    }
  } finally {
    rmSync(opts.workDir, { recursive: true, force: true });
  }
}

async function measureCold(
  opts: AttestBenchOptions,
  exe: string,
  peer: PeerCredentials,
): Promise<AttestBenchResult['cold']> {
  const timed = async <T>(fn: () => T | Promise<T>): Promise<{ value: T; ms: number }> => {
    const started = opts.now();
    const value = await fn();
    return { value, ms: opts.now() - started };
  };
  const cold: AttestBenchResult['cold'] = {
    bytes: statSync(exe).size,
    attestMs: [],
    sha256sumMs: [],
    cryptoMs: [],
  };
  for (let round = 1; round <= opts.coldRounds; round++) {
    opts.progress(`attestation: cold sha256 round ${round}/${opts.coldRounds}`);
    const tool = await timed(() => execFileSync('sha256sum', [exe], { encoding: 'utf8' }).split(' ')[0]);
    const crypto = await timed(() => createHash('sha256').update(readFileSync(exe)).digest('hex'));
    // A fresh attestor has every cache empty: this is a caller's first request.
    const attestor = createAttestor({ procRoot: '/proc', maxHashBytes: opts.maxHashBytes });
    const attested = await timed(() => attestor.attest(peer));
    // All three must have hashed the whole file, or the ratio compares different work.
    const digests = new Set([tool.value, crypto.value, attested.value.sha256]);
    if (digests.size !== 1) {
      throw new Error(
        `the digests of ${exe} differ: ${[...digests].join(' / ')} (${attested.value.sha256Skipped ?? ''})`,
      );
    }
    cold.sha256sumMs.push(tool.ms);
    cold.cryptoMs.push(crypto.ms);
    cold.attestMs.push(attested.ms);
  }
  return cold;
}

async function measureWarm(
  opts: AttestBenchOptions,
  peer: PeerCredentials,
): Promise<{ result: AttestBenchResult['warm']; attestation: Attestation }> {
  opts.progress(`attestation: ${opts.warmCalls} warm calls, first and later of a connection`);
  const attestor = createAttestor({ procRoot: '/proc', maxHashBytes: opts.maxHashBytes });
  const memo: ConnectionMemo = {};
  let attestation = await attestor.attest(peer);
  for (let i = 1; i < opts.warmup; i++) {
    await attestor.attest(peer);
    await attestor.attest(peer, memo);
  }
  const first: number[] = [];
  const later: number[] = [];
  const timed = async (samples: number[], call: () => Promise<Attestation>) => {
    const started = opts.now();
    const result = await call();
    samples.push(opts.now() - started);
    return result;
  };
  const deadline = opts.now() + opts.warmTimeLimitMs;
  // Interleaved, so a noisy spell of the machine hits both alike.
  while (first.length < opts.warmCalls && opts.now() < deadline) {
    attestation = await timed(first, () => attestor.attest(peer));
    const again = await timed(later, () => attestor.attest(peer, memo));
    // The memo must not change what is attested, only what it costs.
    if (JSON.stringify(again) !== JSON.stringify(attestation))
      throw new Error('a later request of the connection was attested differently from its first');
  }
  attestor.release(memo);
  // A warm call that skipped the hash would be cheap for the wrong reason.
  if (attestation.sha256 === null)
    throw new Error(`warm attestation did not hash: ${attestation.sha256Skipped}`);
  first.sort((a, b) => a - b);
  later.sort((a, b) => a - b);
  return {
    attestation,
    result: {
      calls: first.length,
      p50Us: percentile(first, 0.5) * 1000,
      p99Us: percentile(first, 0.99) * 1000,
      connection: { p50Us: percentile(later, 0.5) * 1000, p99Us: percentile(later, 0.99) * 1000 },
      ancestors: attestation.ancestors.length,
      pinnedBy: attestation.pinnedBy,
      repo: attestation.repo !== null,
    },
  };
}
