/**
 * The ways git and the AWS tools can run agentid, so the same tests run against each: the Node
 * helpers (the bin git-credential-agentid, `agentid git-credential`, `agentid aws
 * credential-process`) and the thin sh helpers of cli/thin-helpers.ts, run by dash (/bin/sh
 * here) and, for git, by bash too, since /bin/sh is bash on other systems.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { installThinHelper } from '../../cli/thin-helpers.js';
import { cliPath, collect, type Home, type Result } from './harness.js';

export interface HelperVariant {
  name: string;
  /** A thin sh helper (needs installThinHelpers first). */
  thin: boolean;
  /** The command line, with the helper's own arguments appended. */
  argv(home: Home, args: readonly string[]): string[];
}

const gitBin = resolve('dist/cli/helpers/git-credential.js');
/** Absolute, so a test may run a helper with a PATH that lacks the shell (or curl). */
export const which = (tool: string) =>
  spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim() || tool;
const thinPath = (home: Home, kind: 'git' | 'aws') =>
  join(home.dir, 'bin', kind === 'git' ? 'git-credential-agentid' : 'aws-credential-process');

export const gitHelpers: readonly HelperVariant[] = [
  { name: 'git-credential-agentid (Node)', thin: false, argv: (_h, a) => [process.execPath, gitBin, ...a] },
  {
    name: 'agentid git-credential (Node)',
    thin: false,
    argv: (_h, a) => [process.execPath, cliPath, 'git-credential', ...a],
  },
  { name: 'thin helper (sh)', thin: true, argv: (h, a) => [which('sh'), thinPath(h, 'git'), ...a] },
  { name: 'thin helper (bash)', thin: true, argv: (h, a) => [which('bash'), thinPath(h, 'git'), ...a] },
];

export const awsHelpers: readonly HelperVariant[] = [
  {
    name: 'agentid aws credential-process (Node)',
    thin: false,
    argv: (_h, a) => [process.execPath, cliPath, 'aws', 'credential-process', ...a],
  },
  { name: 'thin helper (sh)', thin: true, argv: (h, a) => [thinPath(h, 'aws'), ...a] },
];

/** Writes both thin helpers into the home's helpers dir, as `agentid setup git|aws` does. */
export function installThinHelpers(home: Home): void {
  for (const kind of ['git', 'aws'] as const) {
    installThinHelper(join(home.dir, 'bin'), kind, { node: process.execPath, script: cliPath });
  }
}

/**
 * Runs a helper as git would: input on stdin, then closed. A helper may exit before reading all
 * of it (bounded input): the broken pipe is expected, not a failure of the test.
 */
export function runHelper(argv: readonly string[], env: NodeJS.ProcessEnv, input = ''): Promise<Result> {
  const child = spawn(argv[0] ?? '', argv.slice(1), { env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin?.on('error', () => {});
  return collect(child, input);
}
