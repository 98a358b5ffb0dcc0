/**
 * The servers under test run as child processes, so their CPU, memory and event loop are their
 * own and not the load generator's. Starting waits (bounded) until the socket answers; stopping is
 * SIGTERM, then SIGKILL if the child outlives its grace, so a run never leaves a server behind.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** Enough of a failed child's output to say why, without holding a chatty log in memory. */
const OUTPUT_TAIL_CHARS = 4_000;
const STOP_GRACE_MS = 5_000;
const POLL_INTERVAL_MS = 25;

export interface Child {
  pid: number;
  /** The tail of its stdout and stderr. */
  output(): string;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  execPath: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

export function spawnChild(opts: SpawnOptions): Child {
  const child = spawn(opts.execPath, opts.args, {
    env: opts.env,
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Unhandled, a spawn failure would crash the bench; kept, it explains the failed readiness wait.
  child.on('error', (err) => keep(Buffer.from(`spawn failed: ${err.message}\n`)));
  return {
    pid: child.pid ?? -1,
    output: () => output,
    stop: () => stop(child, exited),
  };
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  if (await settlesWithin(exited, STOP_GRACE_MS)) return;
  child.kill('SIGKILL');
  await settlesWithin(exited, STOP_GRACE_MS);
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  const controller = new AbortController();
  const timedOut = sleep(ms, false, { signal: controller.signal }).catch(() => false);
  const result = await Promise.race([promise.then(() => true), timedOut]);
  controller.abort();
  return result;
}

/** Polls `GET path` until it answers 200, and returns the parsed body; throws past `timeoutMs`. */
export async function waitForAnswer(
  child: Child,
  socketPath: string,
  path: string,
  timeoutMs: number,
  now: () => number,
): Promise<unknown> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const body = await getJson(socketPath, path).catch(() => undefined);
    if (body !== undefined) return body;
    if (now() > deadline) {
      throw new Error(
        `pid ${child.pid} did not answer GET ${path} within ${timeoutMs} ms:\n${child.output()}`,
      );
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

function getJson(socketPath: string, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
        try {
          resolve(JSON.parse(text));
        } catch (err) {
          reject(err);
        }
      });
    });
    req.setTimeout(POLL_INTERVAL_MS * 40, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Resident memory of a live process in KiB, from the kernel's own accounting. */
export function rssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match?.[1]) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

/**
 * The median of `samples` RSS readings `intervalMs` apart: one reading can catch a GC mid-flight
 * or a lazily freed arena, and a figure of BENCH.md must not hang on that instant.
 */
export async function medianRssKiB(pid: number, samples: number, intervalMs: number): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < samples; i++) {
    if (i > 0) await sleep(intervalMs);
    readings.push(rssKiB(pid));
  }
  readings.sort((a, b) => a - b);
  return readings[Math.floor((readings.length - 1) / 2)] ?? Number.NaN;
}

let ticksPerSecond: number | undefined;

/** CPU time a live process has used so far (user + system, all its threads), in ms. */
export function cpuMs(pid: number): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is the 3rd, utime the 14th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}
