/**
 * The AWS benchmark, against a real moto_server as STS. Whole process: credential_process on a
 * cache hit (what the AWS CLI pays on every credential refresh), through the thin sh helper
 * `agentid setup aws` writes and through `agentid aws credential-process dev`, against bare
 * `node -e ''`, median of RUNS each, interleaved. Cold issue: one credential through
 * the daemon (socket, attestation, policy, keychain read, STS, audit) against the same STS call
 * made directly with the provider's own STS function, so the difference is the daemon's overhead.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { installThinHelper } from '../cli/thin-helpers.js';
import { callEndpoint, endpoints } from '../src/protocol/index.js';
import { assumeRole } from '../src/providers/aws/sts.js';
import { type Child, spawnChild, waitForAnswer } from './children.js';
import { fmtMs, fmtRatio, mark } from './format.js';
import type { Target } from './targets.js';
import { interleaved, median, timeAsync } from './timing.js';

/** The Node helper's own target (the issue that made it). */
export const TARGET_RATIO_TO_NODE = 1.3;
/** Issue #16: the thin helper on a cache hit within 0.5× of bare node. */
export const THIN_TARGET_RATIO_TO_NODE = 0.5;

export interface AwsBenchOptions {
  workDir: string;
  repoRoot: string;
  nodePath: string;
  /** Our uid: the daemon the bench talks to must run as it. */
  uid: number;
  env: NodeJS.ProcessEnv;
  runs: number;
  coldRounds: number;
  startTimeoutMs: number;
  now: () => number;
  progress: (message: string) => void;
}

export type AwsBenchResult =
  | { skipped: string }
  | {
      runs: number;
      coldRounds: number;
      medianMs: {
        thin: number;
        credentialProcess: number;
        node: number;
        coldDaemon: number;
        coldDirect: number;
      };
    };

const ROLE = 'arn:aws:iam::123456789012:role/bench';
// moto accepts any base keys; these are plainly not AWS's (no AKIA prefix), so no scanner mistakes them.
const KEYS = { accessKeyId: 'AGENTIDBENCHKEYID0001', secretAccessKey: 'agentid-bench-secret-key-0123456789' };

export async function benchAws(o: AwsBenchOptions): Promise<AwsBenchResult> {
  if (spawnSync('sh', ['-c', 'command -v moto_server']).status !== 0) {
    return { skipped: 'moto_server is not on PATH (pip install "moto[server]")' };
  }
  const home = join(o.workDir, 'aws-home');
  mkdirSync(join(home, 'policy'), { recursive: true });
  const children: Child[] = [];
  try {
    const port = await freePort();
    const sts = `http://127.0.0.1:${port}`;
    const moto = spawnChild({
      execPath: 'moto_server',
      args: ['-H', '127.0.0.1', '-p', String(port)],
      env: o.env,
    });
    children.push(moto);
    await waitForHttp(`${sts}/moto-api/`, o.startTimeoutMs, o.now);

    // One credential per cold round: a name never asked for before is a guaranteed cache miss.
    const names = ['dev', ...Array.from({ length: o.coldRounds }, (_, i) => `cold${i}`)];
    writeFileSync(
      join(home, 'config.toml'),
      `[secrets]\nbackend = "file"\n\n${names
        .map(
          (n) =>
            `[credentials.${n}]\ntype = "aws"\nrole_arn = "${ROLE}"\nregion = "us-east-1"\nendpoint = "${sts}"\n`,
        )
        .join('\n')}`,
    );
    writeFileSync(
      join(home, 'policy', 'aws.cedar'),
      'permit(principal, action == Action::"aws", resource);\n',
    );
    const env = { ...o.env, AGENTID_HOME: home };
    const cli = join(o.repoRoot, 'dist', 'cli', 'main.js');
    const socket = join(home, 'run', 'agentid.sock');
    const daemonAddress = { socket, uid: o.uid };
    const daemon = spawnChild({ execPath: o.nodePath, args: [cli, 'daemon', 'run'], env });
    children.push(daemon);
    await waitForAnswer(daemon, socket, '/v1/status', o.startTimeoutMs, o.now);
    for (const name of names) {
      const keys = { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey };
      const set = spawnSync(o.nodePath, [cli, 'aws', 'set-base-keys', name], { env: { ...env, ...keys } });
      if (set.status !== 0) throw new Error(`aws set-base-keys ${name} failed: ${set.stderr}`);
    }

    const thinPath = installThinHelper(join(home, 'bin'), 'aws', { node: o.nodePath, script: cli });
    const fetchWith = (argv: string[]) => () => {
      const r = spawnSync(argv[0] ?? '', argv.slice(1), { env, encoding: 'utf8' });
      if (r.status !== 0 || !r.stdout.includes('"AccessKeyId"'))
        throw new Error(`credential-process failed: ${r.stderr}`);
    };
    const contenders = {
      thin: fetchWith([thinPath, 'dev']),
      credentialProcess: fetchWith([o.nodePath, cli, 'aws', 'credential-process', 'dev']),
      node: () => {
        if (spawnSync(o.nodePath, ['-e', ''], { env }).status !== 0) throw new Error("node -e '' failed");
      },
    };
    // The first call mints (and is not measured); every measured one is a cache hit.
    for (const run of Object.values(contenders)) run();
    o.progress(`aws: ${o.runs} runs each of credential_process (sh, Node; cache hit) and node -e ''`);
    const warm = interleaved(contenders, o.runs, o.now);

    o.progress(`aws: ${o.coldRounds} cold issues through the daemon and directly against STS`);
    const target = { region: 'us-east-1', endpoint: sts, timeoutMs: 10_000 };
    const input = { RoleArn: ROLE, RoleSessionName: 'bench', DurationSeconds: 900 };
    // Both clients warm: the SDK loaded in this process and in the daemon, node:http set up.
    await assumeRole(target, KEYS, input);
    await callEndpoint(daemonAddress, endpoints.status, []);
    const cold = { daemon: [] as number[], direct: [] as number[] };
    for (const name of names.slice(1)) {
      cold.direct.push(await timeAsync(() => assumeRole(target, KEYS, input), o.now));
      cold.daemon.push(
        await timeAsync(() => callEndpoint(daemonAddress, endpoints.aws, [{ credential: name }]), o.now),
      );
    }
    return {
      runs: o.runs,
      coldRounds: o.coldRounds,
      medianMs: {
        ...warm,
        coldDaemon: median(cold.daemon),
        coldDirect: median(cold.direct),
      },
    };
  } finally {
    for (const child of children.reverse()) await child.stop();
  }
}

export function renderAwsBench(r: AwsBenchResult): string[] {
  if ('skipped' in r) return ['## AWS credential_process', '', `Skipped: ${r.skipped}.`];
  const m = r.medianMs;
  const ratio = m.credentialProcess / m.node;
  return [
    '## AWS credential_process',
    '',
    `Whole process, median of ${r.runs} runs each, interleaved, answered from the daemon's cache ` +
      "(warm daemon): the thin sh helper, `agentid aws credential-process dev`, and bare `node -e ''`.",
    '',
    "| Command | median ms | vs node -e '' |",
    '|---|--:|--:|',
    `| thin sh helper (\`agentid setup aws\`) dev | ${fmtMs(m.thin)} | ${fmtRatio(m.thin / m.node)} |`,
    `| agentid aws credential-process dev (Node) | ${fmtMs(m.credentialProcess)} | ${fmtRatio(ratio)} |`,
    `| node -e '' | ${fmtMs(m.node)} | ${fmtRatio(1)} |`,
    '',
    `The Node helper's own target, within ${TARGET_RATIO_TO_NODE}× of bare node: ${mark(ratio < TARGET_RATIO_TO_NODE)} ${fmtRatio(ratio)}. ` +
      "The thin helper's target is in the table at the end.",
    '',
    `Cold issue (cache miss), median of ${r.coldRounds}, against moto_server as STS: through the daemon ` +
      `${fmtMs(m.coldDaemon)} ms, the same AssumeRole called directly ${fmtMs(m.coldDirect)} ms: ` +
      `overhead ${fmtMs(m.coldDaemon - m.coldDirect)} ms (socket, attestation, policy, keychain read, audit commit).`,
  ];
}

export function awsTargets(r: AwsBenchResult): Target[] {
  const what = 'credential_process cache hit through the thin helper';
  const goal = `≤ ${THIN_TARGET_RATIO_TO_NODE}× bare node`;
  if ('skipped' in r) return [{ what, goal, figure: `not measured: ${r.skipped}`, met: false }];
  const { thin, node } = r.medianMs;
  return [
    {
      what,
      goal,
      figure: `${fmtRatio(thin / node)} (${fmtMs(thin)} ms vs ${fmtMs(node)} ms)`,
      met: thin / node <= THIN_TARGET_RATIO_TO_NODE,
    },
  ];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, timeoutMs: number, now: () => number): Promise<void> {
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}
