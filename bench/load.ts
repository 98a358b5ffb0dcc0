/**
 * The one load generator every scenario uses, so the daemon and the bare baseline are measured by
 * the very same client: node:http keep-alive connections, exactly one request in flight on each
 * (the Agent never pipelines), and latency percentiles from the raw samples.
 */
import { Agent, request } from 'node:http';

export interface LoadOptions {
  socketPath: string;
  path: string;
  /** A JSON body to POST with every request; without one, a GET. */
  body?: string;
  concurrency: number;
  /** Sent first and not recorded: opens every connection and warms both sides. */
  warmup: number;
  requests: number;
  /** Bounds the whole run (warm-up included) even when the count is not reached. */
  timeLimitMs: number;
  /** A stuck request fails instead of holding the run past its limit. */
  requestTimeoutMs: number;
  now: () => number;
}

export interface LoadResult {
  concurrency: number;
  /** Requests answered 200, warm-up included: each one the daemon must have audited. */
  answered: number;
  failures: number;
  /** Recorded requests; fewer than asked when the time limit ended the run. */
  measured: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const deadline = opts.now() + opts.timeLimitMs;
  try {
    const warm = await phase(agent, opts, opts.warmup, deadline, null);
    const samples: number[] = [];
    const started = opts.now();
    const measured = await phase(agent, opts, opts.requests, deadline, samples);
    const elapsedMs = opts.now() - started;
    samples.sort((a, b) => a - b);
    return {
      concurrency: opts.concurrency,
      answered: warm.answered + measured.answered,
      failures: warm.failures + measured.failures,
      measured: samples.length,
      requestsPerSec: elapsedMs > 0 ? (samples.length * 1000) / elapsedMs : 0,
      p50Ms: percentile(samples, 0.5),
      p99Ms: percentile(samples, 0.99),
    };
  } finally {
    agent.destroy();
  }
}

/** Nearest-rank percentile of ascending `sorted`; NaN when there is no sample. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

async function phase(
  agent: Agent,
  opts: LoadOptions,
  count: number,
  deadline: number,
  samples: number[] | null,
): Promise<{ answered: number; failures: number }> {
  let issued = 0;
  let answered = 0;
  let failures = 0;
  // One sequential loop per connection: the Agent's maxSockets equals the loop count, so every loop
  // keeps its own keep-alive connection and never queues behind another.
  const loop = async () => {
    while (issued < count && opts.now() < deadline) {
      issued += 1;
      const started = opts.now();
      const status = await get(agent, opts).catch(() => 0);
      if (status !== 200) {
        failures += 1;
        continue;
      }
      answered += 1;
      samples?.push(opts.now() - started);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, loop));
  return { answered, failures };
}

function get(agent: Agent, opts: LoadOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const method = opts.body === undefined ? 'GET' : 'POST';
    const headers = opts.body === undefined ? {} : { 'content-type': 'application/json' };
    const req = request({ agent, socketPath: opts.socketPath, path: opts.path, method, headers }, (res) => {
      res.on('error', reject);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.resume();
    });
    req.setTimeout(opts.requestTimeoutMs, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(opts.body);
  });
}
