/**
 * Another uid listening where the victim's daemon would be: the socket squat of issue #14. The
 * impostor (uid 65534) optionally creates the socket's directory itself with the mode it likes,
 * listens on a 0777 socket and counts every connection and byte that reaches it, so a test shows
 * that no client sent it anything. It runs as `node -e`, reading no file of the repository.
 *
 * `squatWorld()` gives the literal case: neither XDG_RUNTIME_DIR nor AGENTID_HOME set, so the
 * socket is /tmp/agentid-<uid>/agentid.sock. The real /tmp is shared with everyone on the machine,
 * so the world is a mount namespace (unshare) in which a private directory is bound over /tmp;
 * every process of the test enters it with nsenter.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installThinHelper } from '../../cli/thin-helpers.js';
import { cliPath, collect, type Result } from './harness.js';

export const NOBODY = 65534;
export const isRoot = process.getuid?.() === 0;

const impostorScript = `
const net = require('node:net'); const fs = require('node:fs'); const path = require('node:path');
const [socket, dirMode] = [process.argv[1], process.argv[2]];
if (dirMode) { fs.mkdirSync(path.dirname(socket), { mode: parseInt(dirMode, 8) }); fs.chmodSync(path.dirname(socket), parseInt(dirMode, 8)); }
let connections = 0; let bytes = 0;
const server = net.createServer((c) => { connections += 1; c.on('data', (d) => { bytes += d.length; }); c.on('error', () => {}); });
server.listen(socket, () => { fs.chmodSync(socket, 0o777); process.stdout.write('ready\\n'); });
process.on('SIGTERM', () => { process.stdout.write(JSON.stringify({ connections, bytes }) + '\\n'); process.exit(0); });
`;

export interface Impostor {
  /** Stops it and tells what reached it. */
  stop(): Promise<{ connections: number; bytes: number }>;
}

/**
 * Starts the impostor on `socket`; with `dirMode` ('755', '700') it creates the directory first.
 * `prefix` runs it inside a namespace (nsenter); without one it is spawned as uid 65534 directly.
 */
export async function startImpostor(
  socket: string,
  options: { dirMode?: string; prefix?: string[] } = {},
): Promise<Impostor> {
  const args = ['-e', impostorScript, socket, options.dirMode ?? ''];
  const drop = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--'];
  const child = options.prefix
    ? spawn(options.prefix[0] ?? '', [...options.prefix.slice(1), ...drop, process.execPath, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(process.execPath, args, { uid: NOBODY, gid: NOBODY, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = readAll(child);
  await readyOn(child, output, 'ready\n', 'the impostor');
  return {
    async stop() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
      const last = output.stdout().trim().split('\n').at(-1) ?? '';
      return JSON.parse(last) as { connections: number; bytes: number };
    },
  };
}

/**
 * Resolves once `child` has printed `marker`; rejects when it exits first, or has not printed it
 * within READY_DEADLINE_MS (then it is killed): a world that cannot be built fails the test with
 * its stderr instead of stalling it until the test's own timeout.
 */
function readyOn(
  child: ChildProcess,
  output: ReturnType<typeof readAll>,
  marker: string,
  what: string,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} was not ready within ${READY_DEADLINE_MS} ms: ${output.stderr()}`));
    }, READY_DEADLINE_MS);
    child.stdout?.on('data', () => {
      if (!output.stdout().includes(marker)) return;
      clearTimeout(deadline);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`${what} exited with ${code}: ${output.stderr()}`));
    });
  });
}

const READY_DEADLINE_MS = 30_000;

/**
 * How long a victim may take to refuse. One that has not finished by then is killed and judged by
 * what it did (a hang is a failure that names the victim, never a stalled suite).
 */
const VICTIM_DEADLINE_MS = 60_000;

function readAll(child: ChildProcess): { stdout(): string; stderr(): string } {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return { stdout: () => stdout, stderr: () => stderr };
}

/** Why the squat world cannot be built here, or null when it can. */
export function squatWorldUnavailable(): string | null {
  if (!isRoot) return 'it needs root (a mount namespace, and a process of uid 65534)';
  for (const tool of ['unshare', 'nsenter', 'setpriv']) {
    if (spawnSync(tool, ['--version']).status !== 0) return `${tool} (util-linux) is not installed`;
  }
  return null;
}

export interface SquatWorld {
  /** Where the namespace's /tmp is from outside. */
  outside: string;
  /** An environment with neither AGENTID_HOME nor XDG_RUNTIME_DIR, HOME under the private /tmp. */
  env: NodeJS.ProcessEnv;
  /** The command line prefix that runs a process inside the world. */
  prefix: string[];
  run(argv: string[], options?: { input?: string; env?: NodeJS.ProcessEnv }): Promise<Result>;
  close(): void;
}

/** A mount namespace whose /tmp is a fresh private directory; the victim runs as us (root). */
export async function squatWorld(): Promise<SquatWorld> {
  const outside = mkdtempSync(join(tmpdir(), 'agentid-squat-'));
  // What /tmp is everywhere: anyone may create an entry, only its owner may remove it.
  chmodSync(outside, 0o1777);
  // A clone or a Node that lives under /tmp (CI may clone there) stays visible in the world: each
  // is bind-mounted at its own path inside the fresh /tmp.
  const keep = [fileURLToPath(new URL('../..', import.meta.url)), dirname(dirname(process.execPath))]
    .map((p) => realpathSync(p))
    .filter((p) => p.startsWith('/tmp/'));
  const holder = spawn(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      // Each kept path p is /tmp/REL: REL is p from its 6th character on.
      'set -e; outside=$1; shift; for p in "$@"; do rel=$(printf %s "$p" | cut -c6-); ' +
        'mkdir -p "$outside/$rel"; mount --bind "$p" "$outside/$rel"; done; ' +
        'mount --rbind "$outside" /tmp && echo ready && exec sleep 3600',
      'sh',
      outside,
      ...keep,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = readAll(holder);
  await readyOn(holder, output, 'ready', 'the mount namespace (unshare)');
  const prefix = ['nsenter', `--target=${holder.pid}`, '--mount', '--'];
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: '/tmp/home', LANG: 'C' };
  return {
    outside,
    env,
    prefix,
    run(argv, options = {}) {
      const child = spawn(prefix[0] ?? '', [...prefix.slice(1), ...argv], {
        env: { ...env, ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const deadline = setTimeout(() => {
        child.kill('SIGKILL');
        // A descendant may still hold its stdout or stderr: stop waiting for them to close.
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, VICTIM_DEADLINE_MS);
      return collect(child, options.input).finally(() => clearTimeout(deadline));
    },
    close() {
      holder.kill('SIGKILL');
      rmSync(outside, { recursive: true, force: true });
    },
  };
}

/** A client that must refuse the squatted socket: what it runs, and what it would have sent. */
export interface Victim {
  name: string;
  argv: string[];
  input?: string;
  env?: NodeJS.ProcessEnv;
  /** A git helper: it answers quit=1 so git stops rather than prompt. */
  git?: boolean;
}

/** Every kind of client issue #14 names, run inside `world` (thin helpers under its /tmp/bin). */
export function squatVictims(world: SquatWorld): Victim[] {
  for (const kind of ['git', 'aws'] as const) {
    installThinHelper(join(world.outside, 'bin'), kind, { node: process.execPath, script: cliPath });
  }
  const cli = [process.execPath, cliPath];
  const gitInput = 'protocol=https\nhost=github.com\npath=acme/widgets.git\n\n';
  return [
    { name: 'secret set', argv: [...cli, 'secret', 'set', 'db-password'], input: 'the-secret-value' },
    {
      name: 'aws set-base-keys',
      argv: [...cli, 'aws', 'set-base-keys', 'dev'],
      env: { AWS_ACCESS_KEY_ID: 'AGENTIDSQUATKEYID001', AWS_SECRET_ACCESS_KEY: 'squat-base-secret-key' },
    },
    { name: 'exec --env', argv: [...cli, 'exec', '--env', 'DB=db', '--', 'sh', '-c', 'echo "$DB"'] },
    { name: 'whoami', argv: [...cli, 'whoami'] },
    { name: 'git helper (Node)', argv: [...cli, 'git-credential', 'get'], input: gitInput, git: true },
    { name: 'git helper (sh)', argv: ['/tmp/bin/git-credential-agentid', 'get'], input: gitInput, git: true },
    { name: 'credential_process (Node)', argv: [...cli, 'aws', 'credential-process', 'dev'] },
    { name: 'credential_process (sh)', argv: ['/tmp/bin/aws-credential-process', 'dev'] },
    { name: 'MCP proxy', argv: [...cli, 'mcp', '--name', 'fs', '--', process.execPath, '-e', ''], input: '' },
  ];
}

/** Why `result` is not the refusal a client owes a squatted socket dir; null when it is. */
export function notRefused(victim: Victim, result: Result, dir: string): string | null {
  if (result.code !== 5) {
    const killed = result.signal ? ` (${result.signal}: still running after ${VICTIM_DEADLINE_MS} ms?)` : '';
    return `exit ${result.code}${killed}, not 5; stderr: ${result.stderr.slice(-400)}`;
  }
  if (!result.stderr.includes('ERR_PATHS_UNSAFE_DIR')) return `no ERR_PATHS_UNSAFE_DIR in ${result.stderr}`;
  if (!result.stderr.includes(dir)) return `the message does not name ${dir}`;
  const stdout = victim.git ? 'quit=1\n' : '';
  if (result.stdout !== stdout)
    return `stdout ${JSON.stringify(result.stdout)}, not ${JSON.stringify(stdout)}`;
  return null;
}
