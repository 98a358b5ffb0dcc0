/**
 * The gateway benchmark: what the secretless gateway adds to one HTTPS request, in base-URL and in
 * proxy mode, against the same request sent directly, measured in the same run by the same client
 * (bench/gateway-client.ts, inside an `agentid exec` session). The upstream is a small HTTPS server
 * in this process, with a CA of its own; the daemon attests, decides (Cedar), attaches a static
 * credential and commits the decision row before forwarding, and the result row after. To profile
 * the daemon under this load: AGENTID_BENCH_DAEMON_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"
 * (Node refuses --cpu-prof in NODE_OPTIONS).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SessionCa } from '../src/gateway/index.js';
import { countAuditRows } from './audit.js';
import { type Child, cpuMs, spawnChild, waitForAnswer } from './children.js';
import { fmtMs, mark } from './format.js';
import {
  type GatewayClientOptions,
  type GatewayMode,
  type GatewaySamples,
  MEASURED,
  MEASURING,
} from './gateway-client.js';
import { percentile } from './load.js';

export const TARGET_ADDED_MEDIAN_MS = 1;
const SECRET = 'bench-gateway-key-0123456789';
const PORT_POLL_MS = 25;

export interface GatewayBenchOptions {
  workDir: string;
  repoRoot: string;
  nodePath: string;
  /** Node flags for the daemon only (e.g. --cpu-prof to profile it under this load); none by default. */
  daemonNodeArgs: readonly string[];
  env: NodeJS.ProcessEnv;
  /** How this bench's entrypoint runs the client (bench/main.ts with its client argument). */
  clientArgs: (options: GatewayClientOptions) => string[];
  requests: number;
  warmup: number;
  rounds: number;
  startTimeoutMs: number;
  now: () => number;
  progress: (message: string) => void;
}

export interface GatewayBenchResult {
  requests: number;
  rounds: number;
  ms: Record<GatewayMode, { p50: number; p99: number }>;
  /** Audit rows the daemon committed during the client's run, and how many the requests needed. */
  auditRows: { added: number; expected: number };
  /**
   * The daemon's CPU time (user + system) during the measured rounds, per request through the
   * gateway: what the gateway costs, little moved by what else the machine runs, unlike the latencies.
   */
  daemonCpuMsPerRequest: number;
  /** The same for the bare forwarder, per request through it. */
  bareCpuMsPerRequest: number;
}

export async function benchGateway(o: GatewayBenchOptions): Promise<GatewayBenchResult> {
  const home = join(o.workDir, 'gateway-home');
  mkdirSync(join(home, 'policy'), { recursive: true });
  const ca = new SessionCa({
    sessionId: 'bench-upstream',
    hosts: ['localhost'],
    now: () => new Date(),
    randomBytes,
  });
  const caFile = join(o.workDir, 'gateway-upstream-ca.pem');
  writeFileSync(caFile, ca.certificate.pem);
  const leaf = ca.leafFor('localhost');
  const body = JSON.stringify({ ok: true });
  const upstream = createServer({ cert: leaf.certificatePem, key: leaf.keyPem }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamUrl = `https://localhost:${(upstream.address() as AddressInfo).port}`;
  const children: Child[] = [];
  try {
    writeFileSync(
      join(home, 'config.toml'),
      `[secrets]\nbackend = "file"\n\n[credentials.bench]\ntype = "static"\nsecret = "bench-key"\n\n` +
        `[http.bench]\nupstream = "${upstreamUrl}/v1"\ncredential = "bench"\nenv = "BENCH_BASE_URL"\nca_file = "${caFile}"\n`,
    );
    writeFileSync(
      join(home, 'policy', 'gateway.cedar'),
      'permit(principal == Agent::"bench", action == Action::"http", resource == Route::"bench") when { context has session };\n',
    );
    const env = { ...o.env, AGENTID_HOME: home };
    const cli = join(o.repoRoot, 'dist', 'cli', 'main.js');
    const daemon = spawnChild({
      execPath: o.nodePath,
      args: [...o.daemonNodeArgs, cli, 'daemon', 'run'],
      env,
    });
    children.push(daemon);
    await waitForAnswer(daemon, join(home, 'run', 'agentid.sock'), '/v1/status', o.startTimeoutMs, o.now);
    await runToEnd(o.nodePath, [cli, 'secret', 'set', 'bench-key'], env, SECRET);
    const forwarder = spawnChild({
      execPath: o.nodePath,
      args: [join(o.repoRoot, 'dist', 'bench', 'baseline-forwarder.js'), `${upstreamUrl}/v1`, caFile],
      env: o.env,
    });
    children.push(forwarder);
    const forwarderPort = await portOf(forwarder, o.startTimeoutMs, o.now);

    o.progress(
      `gateway: ${o.requests} requests each, direct, bare forwarder, base-URL and proxy mode, in ${o.rounds} rounds`,
    );
    const auditDb = join(home, 'state', 'audit.db');
    const rowsBefore = countAuditRows(auditDb);
    const clientOptions: GatewayClientOptions = {
      directUrl: `${upstreamUrl}/v1/ping`,
      upstreamCaFile: caFile,
      bareUrl: `http://127.0.0.1:${forwarderPort}/ping`,
      requests: o.requests,
      warmup: o.warmup,
      rounds: o.rounds,
    };
    const cpuAt = new Map<string, number>();
    const output = await runToEnd(
      o.nodePath,
      [
        cli,
        'exec',
        '--agent',
        'bench',
        '--http',
        'bench',
        '--http-proxy',
        '--',
        o.nodePath,
        ...o.clientArgs(clientOptions),
      ],
      env,
      undefined,
      (line) => {
        cpuAt.set(line, cpuMs(daemon.pid));
        cpuAt.set(`${line} bare`, cpuMs(forwarder.pid));
      },
    );
    const cpuDuring = (suffix: string) =>
      (cpuAt.get(`${MEASURED}${suffix}`) ?? Number.NaN) - (cpuAt.get(`${MEASURING}${suffix}`) ?? Number.NaN);
    const gatewayRequests = 2 * (o.requests + o.warmup);
    const samples = JSON.parse(output) as GatewaySamples;
    const stats = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
    };
    return {
      requests: o.requests,
      rounds: o.rounds,
      ms: {
        direct: stats(samples.direct),
        bare: stats(samples.bare),
        baseUrl: stats(samples.baseUrl),
        proxy: stats(samples.proxy),
      },
      auditRows: {
        added: countAuditRows(auditDb) - rowsBefore,
        // Two rows per gateway request (decision, result), warm-up included, plus the session's own rows.
        expected: 2 * gatewayRequests,
      },
      daemonCpuMsPerRequest: cpuDuring('') / (2 * o.requests),
      bareCpuMsPerRequest: cpuDuring(' bare') / o.requests,
    };
  } finally {
    for (const child of children.reverse()) await child.stop();
    await new Promise((resolve) => upstream.close(resolve));
  }
}

export function renderGatewayBench(r: GatewayBenchResult): string[] {
  const { direct, bare, baseUrl, proxy } = r.ms;
  const row = (name: string, m: { p50: number; p99: number }, added: boolean) =>
    `| ${name} | ${fmtMs(m.p50)} | ${fmtMs(m.p99)} | ${added ? `${fmtMs(m.p50 - direct.p50)}` : ''} | ${added ? `${fmtMs(m.p99 - direct.p99)}` : ''} | ${added ? `${mark(m.p50 - direct.p50 < TARGET_ADDED_MEDIAN_MS)} < ${TARGET_ADDED_MEDIAN_MS} ms added at p50` : ''} |`;
  return [
    '## Secretless gateway',
    '',
    `${r.requests} sequential HTTPS GETs per way after a warm-up, interleaved in ${r.rounds} rounds, one keep-alive ` +
      'undici pool per way, from a client inside `agentid exec --http bench --http-proxy`, to a small HTTPS ' +
      'server: directly, through a bare forwarder process, through the route base URL (plain HTTP to the gateway), and through HTTPS_PROXY (TLS ' +
      'to the gateway with the session CA). Through the gateway, per request: the session must still live and the ' +
      'process holding the connection (attested when the connection came, then kept) be its member; agent, human ' +
      'and policy are decided (these requests repeat one another, so within a second the policy engine gives its ' +
      "remembered answer: what Cedar costs when it decides is the Policy decisions section's figure); a static " +
      'credential is attached; the decision row is committed before the request is forwarded, over a warm ' +
      "keep-alive pool; the result row is written after the answer, in the next request's commit. Added = the " +
      "gateway's figure minus the direct one.",
    '',
    '| Way | p50 ms | p99 ms | added p50 ms | added p99 ms | Target |',
    '|---|--:|--:|--:|--:|---|',
    row('direct', direct, false),
    row('bare forwarder (floor)', bare, false),
    row('base-URL mode', baseUrl, true),
    row('proxy mode', proxy, true),
    '',
    `The bare forwarder (bench/baseline-forwarder.ts: node:http in, undici out, nothing else) adds ${fmtMs(bare.p50 - direct.p50)} ms at p50: ` +
      'what one more process on the way costs on this machine. Over it, agentid adds ' +
      `${fmtMs(baseUrl.p50 - bare.p50)} ms (base-URL) and ${fmtMs(proxy.p50 - bare.p50)} ms (proxy, TLS to the gateway included) at p50.`,
    '',
    `CPU time (user + system) per request over the measured rounds: the daemon ${fmtMs(r.daemonCpuMsPerRequest)} ms, the bare forwarder ${fmtMs(r.bareCpuMsPerRequest)} ms; unlike latencies it moves little with what else the machine runs, and a process that uses more of it per request is also preempted more on a busy machine.`,
    '',
    `Audit: ${r.auditRows.added} rows committed during the run (${r.auditRows.expected} expected for the gateway requests, plus the session's own) ${mark(r.auditRows.added >= r.auditRows.expected)}`,
  ];
}

/** The port a child prints as its first line of output (bench/baseline-forwarder.ts). */
async function portOf(child: Child, timeoutMs: number, now: () => number): Promise<number> {
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    const port = Number(/^(\d+)\n/.exec(child.output())?.[1]);
    if (port > 0) return port;
    await sleep(PORT_POLL_MS);
  }
  throw new Error(`the bare forwarder printed no port: ${child.output()}`);
}

/** Runs a child to its end; its stdout, or an error with its stderr. `onLine` sees each line of its stderr. */
function runToEnd(
  execPath: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string,
  onLine?: (line: string) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(execPath, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    let partial = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      if (!onLine) return;
      const lines = (partial + c.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${args.slice(0, 3).join(' ')} exited ${code}: ${err}`)),
    );
    child.stdin.end(input ?? '');
  });
}
