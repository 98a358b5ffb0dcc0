/**
 * The git helper benchmark: whole-process `git credential fill` through our helper (warm daemon,
 * token from the cache) against bare `node -e ''` and against git's own C helper
 * `git credential-cache` (warm cache daemon), median of RUNS each, in the same run. The GitHub API
 * is a minimal local server that answers the one token mint; every fill after it is a cache hit.
 */
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Child, spawnChild, waitForAnswer } from './children.js';
import { fmtMs, fmtRatio, mark } from './format.js';

export const TARGET_RATIO_TO_NODE = 1.25;

export interface GitHelperBenchOptions {
  workDir: string;
  repoRoot: string;
  nodePath: string;
  runs: number;
  startTimeoutMs: number;
  now: () => number;
  progress: (message: string) => void;
}

export interface GitHelperBenchResult {
  runs: number;
  medianMs: { helper: number; agentidCommand: number; node: number; credentialCache: number };
}

const FILL_INPUT = 'protocol=https\nhost=bench.test\npath=acme/widgets.git\n\n';

export async function benchGitHelper(o: GitHelperBenchOptions): Promise<GitHelperBenchResult> {
  const home = join(o.workDir, 'git-home');
  mkdirSync(join(home, 'policy'), { recursive: true });
  const api = createServer((req, res) => {
    req.resume();
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token: 'ghs_bench', expires_at: expires, permissions: { contents: 'read' } }));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  writeFileSync(
    join(home, 'config.toml'),
    `[secrets]\nbackend = "file"\n\n[credentials.gh]\ntype = "github-app"\napp_id = 1\ninstallation_id = 1\n` +
      `private_key = "gh-key"\napi_url = "${apiUrl}"\nhosts = ["bench.test"]\n`,
  );
  writeFileSync(join(home, 'policy', 'git.cedar'), 'permit(principal, action == Action::"git", resource);\n');
  const env = { ...process.env, AGENTID_HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };
  const cli = join(o.repoRoot, 'dist', 'cli', 'main.js');
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs1',
    format: 'pem',
  });
  spawnSync(o.nodePath, [cli, 'secret', 'set', 'gh-key'], { env, input: pem });

  let daemon: Child | undefined;
  let cacheSocket = '';
  try {
    daemon = spawnChild({ execPath: o.nodePath, args: [cli, 'daemon', 'run'], env });
    await waitForAnswer(daemon, join(home, 'run', 'agentid.sock'), '/v1/status', o.startTimeoutMs, o.now);
    const helperConfig = (label: string, helper: string) => {
      const file = join(o.workDir, `gitconfig-${label}`);
      writeFileSync(file, `[credential]\n\thelper = ${helper}\n\tuseHttpPath = true\n`);
      return { ...env, GIT_CONFIG_GLOBAL: file };
    };
    const ours = helperConfig(
      'helper',
      `!'${o.nodePath}' '${join(o.repoRoot, 'dist', 'cli', 'helpers', 'git-credential.js')}'`,
    );
    const oursViaAgentid = helperConfig('agentid', `!'${o.nodePath}' '${cli}' git-credential`);
    cacheSocket = join(o.workDir, 'git-cache', 'sock');
    const gitCache = helperConfig('cache', `cache --socket ${cacheSocket}`);
    const fill = (fillEnv: NodeJS.ProcessEnv) => () => {
      const r = spawnSync('git', ['credential', 'fill'], {
        env: fillEnv,
        input: FILL_INPUT,
        encoding: 'utf8',
      });
      if (r.status !== 0 || !r.stdout.includes('password='))
        throw new Error(`git credential fill failed: ${r.stderr}`);
    };
    // Warm each path once: the token mint, the cache daemon start, the file system cache. The
    // first fill runs async: the API stand-in lives in this process and must be free to answer.
    await fillAsync(ours);
    spawnSync('git', ['credential', 'approve'], {
      env: gitCache,
      input: `${FILL_INPUT.trimEnd()}\nusername=u\npassword=p\n\n`,
    });
    fill(gitCache)();
    const node = () => {
      if (spawnSync(o.nodePath, ['-e', ''], { env }).status !== 0) throw new Error("node -e '' failed");
    };
    o.progress(`git helper: ${o.runs} runs each of 4 commands`);
    const samples = {
      helper: [] as number[],
      agentidCommand: [] as number[],
      node: [] as number[],
      credentialCache: [] as number[],
    };
    for (let i = 0; i < o.runs; i++) {
      // Interleaved, so a noisy moment of the machine hits every contender alike.
      samples.helper.push(time(fill(ours), o.now));
      samples.agentidCommand.push(time(fill(oursViaAgentid), o.now));
      samples.node.push(time(node, o.now));
      samples.credentialCache.push(time(fill(gitCache), o.now));
    }
    return {
      runs: o.runs,
      medianMs: {
        helper: median(samples.helper),
        agentidCommand: median(samples.agentidCommand),
        node: median(samples.node),
        credentialCache: median(samples.credentialCache),
      },
    };
  } finally {
    if (cacheSocket) spawnSync('git', ['credential-cache', '--socket', cacheSocket, 'exit']);
    await daemon?.stop();
    api.closeAllConnections();
    api.close();
  }
}

export function renderGitHelperBench(r: GitHelperBenchResult): string[] {
  const m = r.medianMs;
  const row = (name: string, ms: number) =>
    `| ${name} | ${fmtMs(ms)} | ${fmtRatio(ms / m.node)} | ${fmtRatio(ms / m.credentialCache)} |`;
  return [
    '## git credential helper',
    '',
    `Whole process, median of ${r.runs} runs each, interleaved: \`git credential fill\` through our helper ` +
      "(warm daemon, token from the cache), bare `node -e ''`, and git's own C helper " +
      '`git credential-cache` with a warm cache daemon.',
    '',
    "| Command | median ms | vs node -e '' | vs credential-cache |",
    '|---|--:|--:|--:|',
    row('git credential fill → git-credential-agentid', m.helper),
    row('git credential fill → agentid git-credential', m.agentidCommand),
    row("node -e ''", m.node),
    row('git credential fill → git credential-cache', m.credentialCache),
    '',
    `Target: the helper within ${TARGET_RATIO_TO_NODE}× of bare node start-up: ` +
      `${mark(m.helper / m.node <= TARGET_RATIO_TO_NODE)} ${fmtRatio(m.helper / m.node)}.`,
  ];
}

function fillAsync(env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['credential', 'fill'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('error', reject);
    child.on('close', () =>
      out.includes('password=') ? resolve() : reject(new Error('warm-up fill got no password')),
    );
    child.stdin.end(FILL_INPUT);
  });
}

function time(run: () => void, now: () => number): number {
  const start = now();
  run();
  return now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
