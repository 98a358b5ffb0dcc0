/**
 * Attack: a session's AWS container endpoint (`agentid exec --aws`, loopback TCP) under hostile
 * peers, while the session's own process keeps asking for its credentials (a fresh connection
 * each time, as an SDK refresh does), against a real moto_server STS:
 *  - another uid (65534) opens 200 connections and sends half a request on each;
 *  - a process of the user's own uid outside the session does the same with 64;
 *  - another uid sends 1,000 complete requests with a wrong token as fast as it can.
 * The session's requests must all succeed, their median within 100 ms. Medians, and against a
 * baseline measured first in the same run (the session's requests with nobody attacking): on a
 * shared 2-core machine one request in a few waits for the scheduler whatever the daemon does,
 * and when the machine is saturated the baseline itself passes 100 ms. So the bound is 100 ms or
 * 1.5x the baseline median, whichever is larger, and both are reported. Another uid must hold no
 * connection the endpoint keeps, and its 1,000 requests may write at most 10 audit rows.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, type Daemon, type Home, makeHome, runCli, sleep, startDaemon } from '../e2e/harness.js';
import { type Moto, motoUnavailableReason, startMoto } from '../peers/moto.js';
import { record } from './tally.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const skip = motoUnavailableReason() ?? (isRoot ? null : 'needs root to run processes as uid 65534');
if (skip) console.warn(`SKIP container endpoint attacks: ${skip}`);

const PROBES = 9;
const WITHIN_MS = 100;
/** Under attack, the median may exceed WITHIN_MS only up to this factor of the baseline's median. */
const OVER_BASELINE = 1.5;
const JUNK = 1_000;
/** How long the endpoint gathers refusals into one audit row (src/audit/refusals.ts), plus slack. */
const REFUSAL_INTERVAL_MS = 10_000 + 2_000;

// Runs in the session: one fresh-connection GET per line on stdin, answered as `{status, ms}`.
const sessionScript = `
const http = require('node:http');
console.log(process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI);
require('node:readline').createInterface({ input: process.stdin }).on('line', () => {
  const started = performance.now();
  http.get(process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
    { agent: false, headers: { authorization: process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN } }, (res) => {
      res.resume();
      res.on('end', () => console.log(JSON.stringify({ status: res.statusCode, ms: performance.now() - started })));
    }).on('error', (e) => console.log(JSON.stringify({ status: 0, error: e.code, ms: performance.now() - started })));
});`;

// Opens N connections, sends half a request on each, reports how many are up, and on any stdin
// line how many the server has not closed.
const holderScript = `
const [port, n] = process.argv.slice(1).map(Number);
let open = 0, connected = 0;
for (let i = 0; i < n; i++) {
  let up = false;
  const s = require('node:net').connect(port, '127.0.0.1', () => {
    up = true; connected++; open++;
    s.write('GET /agentid/aws/credentials HTTP/1.1\\r\\nHost: x\\r\\n');
    if (connected === n) console.log('up');
  });
  s.on('error', () => {});
  s.on('close', () => { if (up) open--; });
}
setTimeout(() => console.log('up'), 3000);
require('node:readline').createInterface({ input: process.stdin }).on('line', () => console.log(open));`;

// Sends N complete requests with a wrong token, 20 at a time, and prints what came back.
const junkScript = `
const http = require('node:http');
const [url, n] = [process.argv[1], Number(process.argv[2])];
const seen = {}; let sent = 0, done = 0;
const one = () => {
  if (sent >= n) return;
  sent++;
  http.get(url, { agent: false, headers: { authorization: 'guess-' + sent } }, (res) => {
    res.resume(); res.on('end', () => finish(String(res.statusCode)));
  }).on('error', (e) => finish(e.code));
};
const finish = (k) => { seen[k] = (seen[k] || 0) + 1; if (++done === n) console.log(JSON.stringify(seen)); else one(); };
for (let i = 0; i < 20; i++) one();`;

function lines(child: ChildProcess) {
  const queue: string[] = [];
  let wake: (() => void) | null = null;
  if (child.stdout)
    createInterface({ input: child.stdout }).on('line', (l) => {
      queue.push(l);
      wake?.();
    });
  return async (timeoutMs = 30_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    while (queue.length === 0) {
      if (Date.now() > deadline) throw new Error('no line in time');
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 100);
      });
    }
    return queue.shift() as string;
  };
}

describe.skipIf(skip !== null)('attack: hostile peers at the AWS container endpoint', () => {
  let moto: Moto;
  let home: Home;
  let daemon: Daemon;
  let session: ChildProcess;
  let next: (timeoutMs?: number) => Promise<string>;
  let port = 0;
  let uri = '';
  /** Median of the session's requests with nobody attacking, measured by the first test. */
  let baselineMs = 0;

  beforeAll(async () => {
    moto = await startMoto();
    home = makeHome(
      '[secrets]\nbackend = "file"\n[credentials.dev]\ntype = "aws"\nsource = "assume-role"\n' +
        `role_arn = "arn:aws:iam::123456789012:role/agent"\nregion = "us-east-1"\nendpoint = "${moto.url}"\n`,
    );
    mkdirSync(join(home.dir, 'policy'));
    writeFileSync(
      join(home.dir, 'policy', 'aws.cedar'),
      'permit(principal, action == Action::"aws", resource == Credential::"dev");\n',
    );
    daemon = await startDaemon(home);
    const keys = await runCli(home, ['aws', 'set-base-keys', 'dev'], {
      env: { AWS_ACCESS_KEY_ID: 'AKIAAGENTIDTESTKEY01', AWS_SECRET_ACCESS_KEY: 'agentid-test-base-secret' },
    });
    expect(keys.code, keys.stderr).toBe(0);
    session = spawn(
      process.execPath,
      [cliPath, 'exec', '--agent', 'demo', '--aws', 'dev', '--', process.execPath, '-e', sessionScript],
      { env: home.env, stdio: ['pipe', 'pipe', 'inherit'] },
    );
    next = lines(session);
    uri = await next();
    port = Number(new URL(uri).port);
    // The first request mints the credential at STS; the probes below measure the endpoint.
    expect(JSON.parse(await probe()).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    session?.stdin?.end();
    // The session ends before its daemon stops: an exec wrapper outliving the daemon would start
    // another one in this home (autostart) while it is being removed.
    if (session && session.exitCode === null && session.signalCode === null) {
      const exited = new Promise((resolve) => session?.once('exit', resolve));
      session.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    }
    await daemon?.stop();
    await moto?.stop();
    home?.cleanup();
  });

  const probe = () => {
    session.stdin?.write('\n');
    return next();
  };

  /**
   * PROBES requests of the session's own process: how many failed (any not served, and all of them
   * when the median took longer than the bound), and what they got, in how long.
   */
  async function probes(): Promise<{
    median: number;
    failed: number;
    notServed: number;
    statuses: string;
    times: string;
  }> {
    const results: { status: number; ms: number }[] = [];
    for (let i = 0; i < PROBES; i++)
      results.push(JSON.parse(await probe()) as { status: number; ms: number });
    const times = results.map((r) => r.ms).sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)] ?? Number.POSITIVE_INFINITY;
    const notServed = results.filter((r) => r.status !== 200).length;
    const statuses = [...new Set(results.map((r) => r.status))].join('/');
    const bound = Math.max(WITHIN_MS, OVER_BASELINE * baselineMs);
    return {
      median,
      failed: median > bound ? PROBES : notServed,
      notServed,
      statuses: `${results.length - notServed}/${results.length} served`,
      times:
        `median ${Math.round(median)} ms${baselineMs > 0 ? ` (bound ${Math.round(bound)} ms; baseline ${Math.round(baselineMs)} ms)` : ''}, ` +
        `max ${Math.round(times.at(-1) ?? 0)} ms (status ${statuses})`,
    };
  }

  // A measurement for the rows below, not an attack: how long the session's request takes here
  // with nobody else at the endpoint (the machine may be busy with other work).
  it('baseline: the session gets its credentials when nobody attacks', async () => {
    const result = await probes();
    baselineMs = result.median;
    record({
      attack: 'baseline: container endpoint, no attack',
      tried: PROBES,
      failures: result.notServed,
      note: `session requests ${result.statuses}, ${result.times}`,
    });
    expect(result.notServed).toBe(0);
  });

  it('another uid holding 200 half-sent connections: refused at accept, the session gets through', async () => {
    const holder = spawn(process.execPath, ['-e', holderScript, String(port), '200'], {
      uid: NOBODY,
      gid: NOBODY,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const holderLines = lines(holder);
    try {
      expect(await holderLines()).toBe('up');
      await sleep(500);
      const result = await probes();
      holder.stdin?.write('\n');
      const kept = Number(await holderLines());
      record({
        attack: 'attack: container endpoint, another uid holds connections',
        tried: PROBES,
        failures: result.failed,
        note: `uid 65534 opened 200 half-sent connections, the endpoint kept ${kept}; session requests ${result.statuses}, ${result.times}`,
      });
      expect(result.failed).toBe(0);
      expect(kept).toBe(0);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a same-uid process outside the session holding 64 half-sent connections: evicted, the session gets through', async () => {
    const held: Socket[] = [];
    /** What the endpoint told each connection it closed, in order. */
    const told: string[] = [];
    try {
      await Promise.all(
        Array.from(
          { length: 64 },
          () =>
            new Promise<void>((resolve) => {
              const s = connect(port, '127.0.0.1', () => {
                s.write('GET /agentid/aws/credentials HTTP/1.1\r\nHost: x\r\n');
                resolve();
              });
              let answer = '';
              s.on('data', (d: Buffer) => {
                answer += d.toString();
              });
              s.on('close', () => told.push(answer.split('\r\n', 1)[0] || 'closed without an answer'));
              s.on('error', () => resolve());
              held.push(s);
            }),
        ),
      );
      await sleep(1_000);
      const result = await probes();
      const evicted = told.filter((line) => line.startsWith('HTTP/1.1 408')).length;
      record({
        attack: 'attack: container endpoint, same uid holds connections',
        tried: PROBES,
        failures: result.failed + (evicted === 0 ? 1 : 0),
        note:
          `64 half-sent connections from outside the session, ${evicted} evicted with a coded 408 ` +
          `(${told.length - evicted} closed otherwise); session requests ${result.statuses}, ${result.times}`,
      });
      expect(result.failed).toBe(0);
      expect(evicted).toBeGreaterThan(0);
    } finally {
      for (const s of held) s.destroy();
    }
  });

  it(`another uid sending ${JUNK} wrong-token requests: at most 10 audit rows, the session gets through`, async () => {
    const nobodyRows = async () =>
      (await runCli(home, ['audit', '--json', '--action', 'aws.container', '--limit', '100000'])).stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .filter((l) => (JSON.parse(l) as { peer: { uid: number } }).peer.uid === NOBODY).length;
    // The first attack's refusals may still be on their way into the log.
    await sleep(REFUSAL_INTERVAL_MS);
    const before = await nobodyRows();
    const junk = spawn(process.execPath, ['-e', junkScript, uri, String(JUNK)], {
      uid: NOBODY,
      gid: NOBODY,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const junkLines = lines(junk);
    try {
      await sleep(300);
      const result = await probes();
      const outcome = await junkLines(120_000);
      // Refusals are counted into one row per interval: wait for it to be written.
      await sleep(REFUSAL_INTERVAL_MS);
      const fromNobody = (await nobodyRows()) - before;
      const perThousand = (fromNobody * 1000) / JUNK;
      record({
        attack: 'attack: container endpoint, another uid floods junk',
        tried: PROBES + 1,
        failures: result.failed + (perThousand > 10 ? 1 : 0),
        note: `${JUNK} junk requests (${outcome}) wrote ${perThousand} audit rows per 1,000; session requests ${result.statuses}, ${result.times}`,
      });
      expect(result.failed).toBe(0);
      expect(perThousand).toBeLessThanOrEqual(10);
      expect(fromNobody).toBeGreaterThan(0);
    } finally {
      junk.kill('SIGKILL');
    }
  });
});
