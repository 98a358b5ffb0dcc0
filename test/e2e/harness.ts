/**
 * Drives the real, built CLI and daemon (`npm test` builds dist/ first): every e2e test runs
 * them as separate processes in a throwaway AGENTID_HOME, talking over the real Unix socket.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

export const cliPath = resolve('dist/cli/main.js');

if (!existsSync(cliPath)) {
  throw new Error(`${cliPath} is missing: run \`npm run build\` (npm test does it for you)`);
}

export interface Home {
  dir: string;
  socket: string;
  auditDb: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

export function makeHome(config?: string): Home {
  const dir = mkdtempSync(join(tmpdir(), 'agentid-e2e-'));
  if (config !== undefined) writeFileSync(join(dir, 'config.toml'), config);
  const env: NodeJS.ProcessEnv = { ...process.env, AGENTID_HOME: dir, AGENTID_NO_AUTOSTART: undefined };
  return {
    dir,
    socket: join(dir, 'run', 'agentid.sock'),
    auditDb: join(dir, 'state', 'audit.db'),
    env,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  home: Home,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Result> {
  return collect(
    spawn(process.execPath, [cliPath, ...args], {
      env: { ...home.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
    options.input,
  );
}

export function collect(child: ChildProcess, input?: string): Promise<Result> {
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
    // A child that exits before reading its input (EPIPE) is judged by its exit and output, which
    // the test asserts; unhandled, the write error would crash the test run instead.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });
}

export interface Daemon {
  child: ChildProcess;
  log(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
}

/** Starts `agentid daemon run` in the foreground and resolves once it answers /v1/status. */
/** `nodeArgs` go to node itself, before the CLI (V8 flags). */
export async function startDaemon(home: Home, options: { nodeArgs?: string[] } = {}): Promise<Daemon> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), cliPath, 'daemon', 'run'], {
    env: home.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (c: Buffer) => {
    log += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    log += c.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  // A bound on a daemon that hangs, not a timing: one that dies is reported at once (exitCode),
  // and on a machine shared by many test runs a healthy start can take several seconds.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`daemon exited with ${child.exitCode}:\n${log}`);
    const ok = await api(home.socket, 'GET', '/v1/status').then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`daemon did not answer within 30 s:\n${log}`);
    await sleep(25);
  }
  return {
    child,
    log: () => log,
    stop: async () => {
      if (!child.killed && child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export interface ApiResponse {
  status: number;
  json: unknown;
  text: string;
}

/** One raw HTTP request over the socket (no keep-alive), for probing the API's edges. */
export function api(
  socketPath: string,
  method: string,
  path: string,
  options: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest({ socketPath, method, path, headers: options.headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
      });
      res.on('end', () => {
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {}
        resolvePromise({ status: res.statusCode ?? 0, json, text });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Writes a Cedar file into the home's policy dir (made if needed), one policy line a string. */
export function writePolicy(home: Home, file: string, lines: readonly string[]): void {
  mkdirSync(join(home.dir, 'policy'), { recursive: true });
  writeFileSync(join(home.dir, 'policy', file), `${lines.join('\n')}\n`);
}

/** The audit rows of one action, oldest first, as `agentid audit --json` prints them. */
export async function auditRowsOf<T>(home: Home, action: string): Promise<T[]> {
  const result = await runCli(home, ['audit', '--json', '--action', action]);
  return result.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * One daemon for the enclosing describe block (or, with `perTest`, a fresh one per test), in its own AGENTID_HOME: started before its tests
 * (after `prepare` has written any config or policy files), stopped and removed after them.
 */
export function useDaemon(
  config?: string,
  prepare?: (home: Home) => void,
  options: { perTest?: boolean } = {},
): { home: Home; daemon: Daemon } {
  const state = {} as { home: Home; daemon: Daemon };
  const [before, after] = options.perTest ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    state.home = makeHome(config);
    prepare?.(state.home);
    state.daemon = await startDaemon(state.home);
  });
  after(async () => {
    await state.daemon.stop();
    state.home.cleanup();
  });
  return state;
}
