/**
 * The git helper benchmark: whole-process `git credential fill` (warm daemon, token from the
 * cache) through the thin sh helper `agentid setup git` writes and through the Node helpers,
 * against `gh auth git-credential` (Go; a token from GH_TOKEN, what `gh auth setup-git` sets up),
 * git's own C helper `git credential-cache` (warm cache daemon) and bare `node -e ''`, interleaved,
 * median of RUNS each. gh and credential-cache rows appear when installed. The GitHub API is a
 * minimal local server that answers the one token mint; every fill after it is a cache hit.
 */
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { installThinHelper } from '../cli/thin-helpers.js';
import { type Child, spawnChild, waitForAnswer } from './children.js';
import { fmtMs, fmtRatio, mark } from './format.js';
import type { Target } from './targets.js';
import { interleaved, type ProcessBenchOptions } from './timing.js';

/** The Node helper's own target (the issue that made it): within 1.25× of bare node. */
export const TARGET_RATIO_TO_NODE = 1.25;
/** Issue #16: the thin helper at most 0.6× gh; the moonshot within 3× of git credential-cache. */
export const TARGET_RATIO_TO_GH = 0.6;
export const MOONSHOT_RATIO_TO_CACHE = 3;

export type GitHelperBenchOptions = ProcessBenchOptions;

type Contender = 'thin' | 'helper' | 'agentidCommand' | 'gh' | 'credentialCache' | 'node';

export interface GitHelperBenchResult {
  runs: number;
  /** A contender missing from this machine has no figure, and says why. */
  medianMs: Partial<Record<Contender, number>>;
  missing: Partial<Record<Contender, string>>;
}

const FILL_INPUT = 'protocol=https\nhost=bench.test\npath=acme/widgets.git\n\n';
const GH_INPUT = 'protocol=https\nhost=github.com\npath=acme/widgets.git\n\n';

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

  let daemon: Child | undefined;
  let cacheSocket = '';
  try {
    daemon = spawnChild({ execPath: o.nodePath, args: [cli, 'daemon', 'run'], env });
    await waitForAnswer(daemon, join(home, 'run', 'agentid.sock'), '/v1/status', o.startTimeoutMs, o.now);
    // After the daemon is up: `secret set` tells a running daemon, and would start one of its own
    // (which the bench does not own, and would leave behind) if none were running.
    spawnSync(o.nodePath, [cli, 'secret', 'set', 'gh-key'], { env, input: pem });
    const helperConfig = (label: string, helper: string, extra: NodeJS.ProcessEnv = {}) => {
      const file = join(o.workDir, `gitconfig-${label}`);
      writeFileSync(file, `[credential]\n\thelper = ${helper}\n\tuseHttpPath = true\n`);
      return { ...env, ...extra, GIT_CONFIG_GLOBAL: file };
    };
    const fill =
      (fillEnv: NodeJS.ProcessEnv, input = FILL_INPUT) =>
      () => {
        const r = spawnSync('git', ['credential', 'fill'], { env: fillEnv, input, encoding: 'utf8' });
        if (r.status !== 0 || !r.stdout.includes('password='))
          throw new Error(`git credential fill failed: ${r.stderr}`);
      };
    const thinPath = installThinHelper(join(home, 'bin'), 'git', { node: o.nodePath, script: cli });
    const ours = helperConfig(
      'helper',
      `!'${o.nodePath}' '${join(o.repoRoot, 'dist', 'cli', 'helpers', 'git-credential.js')}'`,
    );
    const contenders: Partial<Record<Contender, () => void>> = {
      thin: fill(helperConfig('thin', `!'${thinPath}'`)),
      helper: fill(ours),
      agentidCommand: fill(helperConfig('agentid', `!'${o.nodePath}' '${cli}' git-credential`)),
    };
    const missing: Partial<Record<Contender, string>> = {};
    const gh = commandPath('gh');
    if (gh) {
      // What `gh auth setup-git` writes, with the token gh reads from GH_TOKEN (no login needed).
      const ghEnv = helperConfig('gh', `!${gh} auth git-credential`, {
        GH_TOKEN: 'ghs_benchtoken0123456789',
        GH_CONFIG_DIR: join(o.workDir, 'gh-config'),
      });
      contenders.gh = fill(ghEnv, GH_INPUT);
    } else missing.gh = 'gh is not installed';
    // Warm the token mint first. Async: the API stand-in lives in this process and must be free to answer.
    await fillAsync(ours);
    const probeSocket = join(o.workDir, 'git-cache', 'sock');
    if (spawnSync('git', ['credential-cache', '--socket', probeSocket, 'exit']).status === 0) {
      cacheSocket = probeSocket;
      const gitCache = helperConfig('cache', `cache --socket ${cacheSocket}`);
      spawnSync('git', ['credential', 'approve'], {
        env: gitCache,
        input: `${FILL_INPUT.trimEnd()}\nusername=u\npassword=p\n\n`,
      });
      contenders.credentialCache = fill(gitCache);
    } else missing.credentialCache = 'git credential-cache is not available';
    contenders.node = () => {
      if (spawnSync(o.nodePath, ['-e', ''], { env }).status !== 0) throw new Error("node -e '' failed");
    };
    // One untimed round: the cache daemon's start, the page cache, each path's first request.
    for (const run of Object.values(contenders)) run?.();
    o.progress(`git helper: ${o.runs} runs each of ${Object.keys(contenders).length} commands`);
    return {
      runs: o.runs,
      medianMs: interleaved(contenders as Record<Contender, () => void>, o.runs, o.now),
      missing,
    };
  } finally {
    if (cacheSocket) spawnSync('git', ['credential-cache', '--socket', cacheSocket, 'exit']);
    await daemon?.stop();
    api.closeAllConnections();
    api.close();
  }
}

const LABELS: Record<Contender, string> = {
  thin: 'git credential fill → thin sh helper (`agentid setup git`)',
  helper: 'git credential fill → git-credential-agentid (Node)',
  agentidCommand: 'git credential fill → agentid git-credential (Node)',
  gh: 'git credential fill → gh auth git-credential',
  credentialCache: 'git credential fill → git credential-cache',
  node: "node -e ''",
};

export function renderGitHelperBench(r: GitHelperBenchResult): string[] {
  const m = r.medianMs;
  const vs = (ms: number, base: number | undefined) => (base === undefined ? '–' : fmtRatio(ms / base));
  const rows = (Object.keys(LABELS) as Contender[]).map((c) => {
    const ms = m[c];
    if (ms === undefined) return `| ${LABELS[c]} | ${r.missing[c] ?? 'not measured'} | | | |`;
    return `| ${LABELS[c]} | ${fmtMs(ms)} | ${vs(ms, m.node)} | ${vs(ms, m.gh)} | ${vs(ms, m.credentialCache)} |`;
  });
  const nodeHelper = m.helper !== undefined && m.node !== undefined ? m.helper / m.node : Number.NaN;
  return [
    '## git credential helper',
    '',
    `Whole process, median of ${r.runs} runs each, interleaved, warm daemon (token from its cache): ` +
      "`git credential fill` through each helper, and bare `node -e ''`.",
    '',
    "| Command | median ms | vs node -e '' | vs gh | vs credential-cache |",
    '|---|--:|--:|--:|--:|',
    ...rows,
    '',
    `The Node helper's own target, within ${TARGET_RATIO_TO_NODE}× of bare node: ` +
      `${mark(nodeHelper <= TARGET_RATIO_TO_NODE)} ${fmtRatio(nodeHelper)}. The thin helper's targets are in the table at the end.`,
  ];
}

export function gitHelperTargets(r: GitHelperBenchResult): Target[] {
  const { thin, gh, credentialCache } = r.medianMs;
  const judge = (
    what: string,
    goal: string,
    base: number | undefined,
    limit: number,
    why?: string,
  ): Target => {
    if (thin === undefined || base === undefined) {
      return { what, goal, figure: `not measured: ${why ?? 'missing'}`, met: false };
    }
    return {
      what,
      goal,
      figure: `${fmtRatio(thin / base)} (${fmtMs(thin)} ms vs ${fmtMs(base)} ms)`,
      met: thin / base <= limit,
    };
  };
  return [
    judge(
      '`git credential fill` through the thin helper',
      `≤ ${TARGET_RATIO_TO_GH}× \`gh auth git-credential\``,
      gh,
      TARGET_RATIO_TO_GH,
      r.missing.gh,
    ),
    judge(
      '… moonshot',
      `≤ ${MOONSHOT_RATIO_TO_CACHE}× \`git credential-cache\``,
      credentialCache,
      MOONSHOT_RATIO_TO_CACHE,
      r.missing.credentialCache,
    ),
  ];
}

function commandPath(name: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  return found || null;
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
