/**
 * CLI start-up: whole-process time of agentid commands (a warm daemon answering the ones that need
 * it) against bare `node -e ''`, interleaved, median of RUNS each. The CLI loads a command's module
 * only when it runs (cli/command-table.ts), so these are what a user or an agent pays per command.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Child, spawnChild, waitForAnswer } from './children.js';
import { fmtMs, fmtRatio, mark } from './format.js';
import type { Target } from './targets.js';
import { interleaved, type ProcessBenchOptions } from './timing.js';

/** Issue #16: `--version` and `--help` within 1.2× of bare node, every other non-TUI command 1.5×. */
/**
 * What a command cannot start faster than: node loading the library it needs before any agentid
 * code runs (`script` gets the repo's node_modules as `m`), timed in the same rounds.
 */
interface Floor {
  what: string;
  nodeArgs: readonly string[];
  script: string;
}

export const COMMANDS: readonly { args: readonly string[]; target: number; floor?: Floor }[] = [
  { args: ['--version'], target: 1.2 },
  { args: ['--help'], target: 1.2 },
  { args: ['whoami'], target: 1.5 },
  { args: ['status'], target: 1.5 },
  { args: ['daemon', 'status'], target: 1.5 },
  { args: ['secret', 'ls'], target: 1.5 },
  { args: ['token', '--audience', 'bench'], target: 1.5 },
  { args: ['jwks'], target: 1.5 },
  {
    args: ['audit', '--json', '--limit', '1'],
    target: 1.5,
    floor: {
      what: 'node loading better-sqlite3 and opening a database',
      nodeArgs: [],
      script: "require(m + '/better-sqlite3')(':memory:').close()",
    },
  },
  {
    args: ['policy', 'check'],
    target: 1.5,
    floor: {
      what: "node loading Cedar's WebAssembly (with the CLI's V8 flags, cli/policy-engine.ts)",
      nodeArgs: ['--liftoff-only', '--wasm-lazy-compilation'],
      script: "require(m + '/@cedar-policy/cedar-wasm/nodejs')",
    },
  },
];

export type StartupBenchOptions = ProcessBenchOptions;

export interface StartupBenchResult {
  runs: number;
  nodeMs: number;
  /** node loading koffi and binding getsockopt: what SO_PEERCRED would add to every client's start. */
  koffiMs: number;
  commands: { label: string; ms: number; target: number; floor?: { what: string; ms: number } }[];
}

export async function benchStartup(o: StartupBenchOptions): Promise<StartupBenchResult> {
  const home = join(o.workDir, 'startup-home');
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'config.toml'), '[secrets]\nbackend = "file"\n');
  const env = { ...process.env, AGENTID_HOME: home };
  const cli = join(o.repoRoot, 'dist', 'cli', 'main.js');
  let daemon: Child | undefined;
  try {
    daemon = spawnChild({ execPath: o.nodePath, args: [cli, 'daemon', 'run'], env });
    await waitForAnswer(daemon, join(home, 'run', 'agentid.sock'), '/v1/status', o.startTimeoutMs, o.now);
    const run = (args: readonly string[]) => () => {
      const r = spawnSync(o.nodePath, [cli, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      if (r.status !== 0) throw new Error(`agentid ${args.join(' ')} failed: ${r.stderr}`);
    };
    const contenders: Record<string, () => void> = {
      node: () => {
        if (spawnSync(o.nodePath, ['-e', ''], { env }).status !== 0) throw new Error("node -e '' failed");
      },
    };
    const koffi = `const k = require(${JSON.stringify(join(o.repoRoot, 'node_modules', 'koffi'))}); k.load('libc.so.6').func('int getsockopt(int, int, int, _Out_ void *, _Inout_ uint32_t *)');`;
    contenders.koffi = () => {
      if (spawnSync(o.nodePath, ['-e', koffi], { env }).status !== 0) throw new Error('loading koffi failed');
    };
    const modules = join(o.repoRoot, 'node_modules');
    for (const c of COMMANDS) {
      contenders[c.args.join(' ')] = run(c.args);
      const floor = c.floor;
      if (!floor) continue;
      contenders[`floor ${c.args.join(' ')}`] = () => {
        const script = `const m = ${JSON.stringify(modules)}; ${floor.script}`;
        if (spawnSync(o.nodePath, [...floor.nodeArgs, '-e', script], { env }).status !== 0)
          throw new Error(`floor of ${c.args.join(' ')} failed`);
      };
    }
    // One untimed round: the page cache and the daemon's first requests.
    for (const contender of Object.values(contenders)) contender();
    o.progress(`startup: ${o.runs} runs each of ${COMMANDS.length} commands and node -e ''`);
    const medians = interleaved(contenders, o.runs, o.now);
    return {
      runs: o.runs,
      nodeMs: medians.node ?? Number.NaN,
      koffiMs: medians.koffi ?? Number.NaN,
      commands: COMMANDS.map((c) => ({
        label: c.args.join(' '),
        ms: medians[c.args.join(' ')] ?? Number.NaN,
        target: c.target,
        ...(c.floor && {
          floor: { what: c.floor.what, ms: medians[`floor ${c.args.join(' ')}`] ?? Number.NaN },
        }),
      })),
    };
  } finally {
    await daemon?.stop();
  }
}

export function renderStartupBench(r: StartupBenchResult): string[] {
  return [
    '## CLI start-up',
    '',
    `Whole process, median of ${r.runs} runs each, interleaved, warm daemon: each command against ` +
      "bare `node -e ''` in the same rounds, and for the commands that need a heavy library, node " +
      'loading just that library (their floor).',
    '',
    "| Command | median ms | vs node -e '' | Target |",
    '|---|--:|--:|---|',
    ...r.commands.map((c) => {
      const ratio = c.ms / r.nodeMs;
      return `| agentid ${c.label} | ${fmtMs(c.ms)} | ${fmtRatio(ratio)} | ${mark(ratio <= c.target)} ≤ ${c.target}× |`;
    }),
    ...r.commands.flatMap((c) =>
      c.floor
        ? [
            `| floor of \`${c.label}\`: ${c.floor.what} | ${fmtMs(c.floor.ms)} | ${fmtRatio(c.floor.ms / r.nodeMs)} | |`,
          ]
        : [],
    ),
    `| node -e '' | ${fmtMs(r.nodeMs)} | ${fmtRatio(1)} | |`,
    '',
    `Why clients do not read the daemon's SO_PEERCRED on Linux: node loading koffi and binding getsockopt ` +
      `takes ${fmtMs(r.koffiMs)} ms, +${fmtMs(r.koffiMs - r.nodeMs)} ms (${fmtRatio(r.koffiMs / r.nodeMs)} bare node) ` +
      'before any work. They reach the socket through the checked directory instead (src/protocol/connect.ts), ' +
      'which costs an open and an fstat.',
  ];
}

export function startupTargets(r: StartupBenchResult): Target[] {
  return r.commands.map((c) => ({
    what: `\`agentid ${c.label}\` start-up`,
    goal: `≤ ${c.target}× bare node`,
    figure: `${fmtRatio(c.ms / r.nodeMs)} (${fmtMs(c.ms)} ms vs ${fmtMs(r.nodeMs)} ms)`,
    met: c.ms / r.nodeMs <= c.target,
    ...(c.floor && {
      bound: `${c.floor.what}: ${fmtMs(c.floor.ms)} ms, ${fmtRatio(c.floor.ms / r.nodeMs)} bare node, before any agentid code`,
    }),
  }));
}
