/**
 * The audit shipping benchmark: what shipping costs credential issuance, and how fast it ships.
 *
 * 1. Issuance, shipping on vs off: two daemons side by side, one shipping every row to a real
 *    rsyslog over TCP and to an OCSF JSON-lines file, one shipping nothing. Each round sends the
 *    same POST /v1/token load to each (interleaved, so a noisy spell of the machine hits both),
 *    and after each round waits until the shipping daemon has caught up, so no round runs against
 *    the other daemon's leftover work. Target: the median with shipping within 5% of without.
 * 2. Ship throughput: a log of `backlogRows` rows, written before the daemon starts (by
 *    AuditWriter, as the audit-append bench does), shipped from cursor 0. Events/s is read from the
 *    daemon's own status (cursor against time) between the first sample past 0 and the one that
 *    reaches the head, so start-up is not counted; rsyslog's file is then checked to hold them all.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AuditEventInput, AuditWriter } from '../src/audit/index.js';
import { callEndpoint, endpoints, type StatusResponse } from '../src/protocol/index.js';
import { type Child, cpuMs, spawnChild, waitForAnswer } from './children.js';
import { type LoadResult, runLoad } from './load.js';
import { rsyslogMissing, startRsyslog } from './rsyslog.js';

export interface ShipBenchOptions {
  workDir: string;
  repoRoot: string;
  nodePath: string;
  /** Ours, the uid the daemons run as: the client verifies it before sending. */
  uid: number;
  env: NodeJS.ProcessEnv;
  rounds: number;
  requests: number;
  concurrency: number;
  backlogRows: number;
  throughputRounds: number;
  startTimeoutMs: number;
  now: () => number;
  progress: (message: string) => void;
}

export interface ThroughputRun {
  eventsPerSec: number;
  /** What the collector held afterwards (at least the rows; more only if some were resent). */
  received: number;
}

export type ShipBenchResult =
  | { skipped: string }
  | {
      concurrency: number;
      requests: number;
      off: LoadResult[];
      on: LoadResult[];
      /** CPU of the whole daemon (all threads) per request of each round; on includes the catch-up. */
      cpuMsPerRequest: { off: number[]; on: number[] };
      backlogRows: number;
      syslog: ThroughputRun[];
      file: ThroughputRun[];
    };

const TOKEN_BODY = JSON.stringify({ audience: 'https://bench.example.com' });
const CAUGHT_UP_TIMEOUT_MS = 120_000;
const SAMPLE_MS = 50;

export async function benchShip(o: ShipBenchOptions): Promise<ShipBenchResult> {
  if (rsyslogMissing) return { skipped: rsyslogMissing };
  const children: Child[] = [];
  const rsyslog = await startRsyslog({ msgIdOnly: true });
  try {
    const cli = join(o.repoRoot, 'dist', 'cli', 'main.js');
    const startDaemon = async (home: string, config: string) => {
      mkdirSync(home, { recursive: true });
      writeFileSync(join(home, 'config.toml'), `[secrets]\nbackend = "file"\n${config}`);
      const child = spawnChild({
        execPath: o.nodePath,
        args: [cli, 'daemon', 'run'],
        env: { ...o.env, AGENTID_HOME: home },
      });
      children.push(child);
      const socket = join(home, 'run', 'agentid.sock');
      await waitForAnswer(child, socket, '/v1/status', o.startTimeoutMs, o.now);
      return { child, socket };
    };
    const status = (socket: string) =>
      callEndpoint({ socket, uid: o.uid }, endpoints.status, [], { timeoutMs: 5_000 });

    // 1. Issuance with and without shipping.
    const shipping = `[audit.ship]\nsyslog = "tcp://127.0.0.1:${rsyslog.tcpPort}"\nfile = "${join(o.workDir, 'ship-on.jsonl')}"\n`;
    const off = await startDaemon(join(o.workDir, 'ship-off-home'), '');
    const on = await startDaemon(join(o.workDir, 'ship-on-home'), shipping);
    const load = (socketPath: string) =>
      runLoad({
        socketPath,
        path: '/v1/token',
        body: TOKEN_BODY,
        concurrency: o.concurrency,
        warmup: 200,
        requests: o.requests,
        timeLimitMs: 60_000,
        requestTimeoutMs: 5_000,
        now: o.now,
      });
    const runs = { off: [] as LoadResult[], on: [] as LoadResult[] };
    const cpuMsPerRequest = { off: [] as number[], on: [] as number[] };
    const sent = (run: LoadResult) => run.answered + run.failures;
    for (let round = 1; round <= o.rounds; round++) {
      o.progress(
        `ship: round ${round}/${o.rounds}: ${o.requests} token requests at ${o.concurrency} clients, shipping off, then on`,
      );
      const offCpu = cpuMs(off.child.pid);
      const offRun = await load(off.socket);
      cpuMsPerRequest.off.push((cpuMs(off.child.pid) - offCpu) / sent(offRun));
      runs.off.push(offRun);
      const onCpu = cpuMs(on.child.pid);
      const onRun = await load(on.socket);
      await caughtUp(() => status(on.socket), o.now);
      cpuMsPerRequest.on.push((cpuMs(on.child.pid) - onCpu) / sent(onRun));
      runs.on.push(onRun);
    }
    await Promise.all(children.splice(0).map((c) => c.stop()));

    // 2. Throughput from a backlog.
    const syslog: ThroughputRun[] = [];
    const file: ThroughputRun[] = [];
    for (let round = 1; round <= o.throughputRounds; round++) {
      for (const sink of ['syslog', 'file'] as const) {
        o.progress(`ship: throughput round ${round}/${o.throughputRounds}: ${o.backlogRows} rows to ${sink}`);
        const home = join(o.workDir, `ship-backlog-${sink}-${round}`);
        writeBacklog(home, o.backlogRows);
        const out = join(o.workDir, `ship-backlog-${round}.jsonl`);
        // rsyslog keeps its output open: count what this round adds rather than remove the file.
        const before = sink === 'syslog' ? countLines(rsyslog.output) : 0;
        const config =
          sink === 'syslog'
            ? `syslog = "tcp://127.0.0.1:${rsyslog.tcpPort}"`
            : `file = "${out}"\nfile_max_bytes = 1073741824`;
        const daemon = await startDaemon(home, `[audit.ship]\n${config}\n`);
        const eventsPerSec = await shipRate(() => status(daemon.socket), o.backlogRows, o.now);
        await daemon.child.stop();
        children.splice(children.indexOf(daemon.child), 1);
        // rsyslog writes what it acknowledged a moment later.
        const written = () => countLines(sink === 'syslog' ? rsyslog.output : out) - before;
        const deadline = o.now() + 30_000;
        while (written() < o.backlogRows && o.now() < deadline) await sleep(100);
        const received = written();
        if (received < o.backlogRows)
          throw new Error(`${sink}: only ${received} of ${o.backlogRows} rows arrived`);
        (sink === 'syslog' ? syslog : file).push({ eventsPerSec, received });
        rmSync(home, { recursive: true, force: true });
        rmSync(out, { force: true });
      }
    }
    return {
      concurrency: o.concurrency,
      requests: o.requests,
      ...runs,
      cpuMsPerRequest,
      backlogRows: o.backlogRows,
      syslog,
      file,
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await rsyslog.close();
  }
}

/** Waits until every sink's cursor is at the head of the log. */
async function caughtUp(status: () => Promise<StatusResponse>, now: () => number): Promise<void> {
  const deadline = now() + CAUGHT_UP_TIMEOUT_MS;
  for (;;) {
    const sinks = (await status()).auditShip;
    if (sinks.length > 0 && sinks.every((s) => s.lagRows === 0 && s.headSeq > 0)) return;
    if (now() > deadline) throw new Error(`shipping did not catch up: ${JSON.stringify(sinks)}`);
    await sleep(SAMPLE_MS);
  }
}

/** Rows per second between the first status sample with a cursor past 0 and the one at `rows`. */
async function shipRate(
  status: () => Promise<StatusResponse>,
  rows: number,
  now: () => number,
): Promise<number> {
  const deadline = now() + CAUGHT_UP_TIMEOUT_MS;
  let first: { at: number; cursor: number } | null = null;
  for (;;) {
    const sink = (await status()).auditShip[0];
    const at = now();
    const cursor = sink?.cursor ?? 0;
    if (sink?.lastError) throw new Error(`shipping failed: ${sink.lastError.message}`);
    if (first === null && cursor > 0) first = { at, cursor };
    if (first !== null && cursor >= rows) {
      if (cursor === first.cursor)
        throw new Error('the backlog shipped between two samples: raise backlogRows');
      return ((cursor - first.cursor) * 1000) / (at - first.at);
    }
    if (at > deadline) throw new Error(`shipping ${rows} rows did not finish: cursor ${cursor}`);
    await sleep(SAMPLE_MS);
  }
}

/** A log of `rows` token rows, as the daemon would have written them. */
function writeBacklog(home: string, rows: number): void {
  mkdirSync(join(home, 'state'), { recursive: true, mode: 0o700 });
  const writer = AuditWriter.open(join(home, 'state', 'audit.db'), { now: () => new Date(), randomUUID });
  const row: AuditEventInput = {
    action: 'jwt',
    decision: 'allow',
    agent: 'claude',
    human: 'local:bench@host',
    resource: 'identity',
    peer: { pid: 4242, uid: 1000, gid: 1000, exe: '/usr/bin/node' },
    attestation: { exe: '/usr/bin/node', sha256: 'ab'.repeat(32), cwd: '/home/bench/repo', session: null },
    policyIds: ['default.cedar:jwt-own-uid'],
    reason: 'permitted by default.cedar:jwt-own-uid',
    credentialFingerprint: 'cd'.repeat(32),
    expiresAt: new Date(Date.now() + 900_000).toISOString(),
    errorCode: null,
    latencyMs: 0.8,
  };
  try {
    for (let i = 0; i < rows; i++) writer.append(row);
  } finally {
    writer.close();
  }
}

function countLines(path: string): number {
  if (!existsSync(path)) return 0;
  const data = readFileSync(path);
  let n = 0;
  for (let at = data.indexOf(0x0a); at !== -1; at = data.indexOf(0x0a, at + 1)) n++;
  return n;
}
