/**
 * How the CLI reaches the daemon: calls over the socket, and autostart. A command that needs
 * the daemon starts it when nothing answers (like gpg-agent or the Docker credential helpers
 * do), unless AGENTID_NO_AUTOSTART=1; then it fails with exit code 5 and says how to start it.
 */
import type { ChildProcess } from 'node:child_process';
import { AgentIdError } from '../src/errors.js';
import { type Env, ensurePrivateDir, type Paths } from '../src/paths.js';
import {
  type CallArgs,
  callEndpoint,
  type DaemonCaller,
  type Endpoint,
  endpoints,
  type StatusResponse,
} from '../src/protocol/client/index.js';

// node:fs without its ES facade, which loads node:stream: docs/architecture.md, start-up.
const { closeSync, openSync, readFileSync } = process.getBuiltinModule('node:fs');

export interface DaemonClient extends DaemonCaller {
  /** Calls the daemon, starting it first if it is not running. */
  call<P extends string, Req, Res>(endpoint: Endpoint<P, Req, Res>, ...args: CallArgs<P, Req>): Promise<Res>;
  /** Status of a running daemon, or null when none answers. Never starts one. */
  probe(): Promise<StatusResponse | null>;
  /** Starts a detached daemon unless one answers; resolves once it answers. */
  start(): Promise<{ status: StatusResponse; started: boolean }>;
  /**
   * A caller that keeps its connections to the daemon, for a process that calls it again and
   * again (the MCP proxy); starts the daemon like `call` does. `close` when done.
   */
  keepAlive(): DaemonSession;
}

export interface DaemonSession extends DaemonCaller {
  close(): void;
}

export interface LauncherDeps {
  env: Env;
  uid: number;
  paths: Paths;
  /** Spawns `agentid daemon run` detached, with stdout/stderr on `logFd`. */
  spawnDaemon(logFd: number): ChildProcess;
  sleep(ms: number): Promise<void>;
  /** Monotonic milliseconds: how long a kept connection has been idle. */
  monotonicMs(): number;
}

const START_TIMEOUT_MS = 10_000;
const POLL_MS = 25;

export function createDaemonClient(deps: LauncherDeps): DaemonClient {
  const daemon = { socket: deps.paths.socket, uid: deps.uid };

  async function probe(): Promise<StatusResponse | null> {
    try {
      return await callEndpoint(daemon, endpoints.status, [], { timeoutMs: 2_000 });
    } catch (err) {
      if (err instanceof AgentIdError && err.code === 'ERR_DAEMON_UNAVAILABLE') return null;
      throw err;
    }
  }

  async function start(): Promise<{ status: StatusResponse; started: boolean }> {
    const running = await probe();
    if (running) return { status: running, started: false };
    ensurePrivateDir(deps.paths.stateDir, deps.uid);
    const logFd = openSync(deps.paths.daemonLog, 'a', 0o600);
    const child = deps.spawnDaemon(logFd);
    closeSync(logFd);
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    child.unref();

    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const status = await probe();
      // Another client may have won the race to start it: any daemon that answers will do.
      if (status) return { status, started: status.pid === child.pid };
      if (exited) {
        // Ours lost a start race (or failed). A held lock means the winner is still starting
        // up: keep waiting for it; a free one means nobody is coming.
        const { daemonLockHeld } = await import('../src/instance.js');
        if (!daemonLockHeld(deps.paths.lockFile)) break;
      }
      await deps.sleep(POLL_MS);
    }
    throw new AgentIdError(
      'ERR_DAEMON_UNAVAILABLE',
      `the daemon did not start${exited ? '' : ` within ${START_TIMEOUT_MS / 1000} s`}; ` +
        `its log (${deps.paths.daemonLog}) ends with: ${lastLogLine(deps.paths.daemonLog)}`,
    );
  }

  /** `call`; when no daemon answers, starts one (unless AGENTID_NO_AUTOSTART=1) and calls again. */
  async function callStarting<Res>(call: () => Promise<Res>): Promise<Res> {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof AgentIdError) || err.code !== 'ERR_DAEMON_UNAVAILABLE') throw err;
      if (deps.env.AGENTID_NO_AUTOSTART === '1') throw err;
    }
    await start();
    return call();
  }

  return {
    probe,
    start,
    call: (endpoint, ...args) => callStarting(() => callEndpoint(daemon, endpoint, args)),
    keepAlive() {
      // Only the MCP proxy keeps connections (and loads the whole protocol anyway): the keep-alive
      // client is not one more module for every other command to load.
      const client = import('../src/protocol/index.js').then(({ createKeepAliveClient }) =>
        createKeepAliveClient(daemon, deps.monotonicMs),
      );
      return {
        call: (endpoint, ...args) => callStarting(async () => callEndpoint(await client, endpoint, args)),
        close: () => void client.then((opened) => opened.close()),
      };
    },
  };
}

/** The daemon's last words, usually why it stopped: one line, as an error message is one line. */
function lastLogLine(path: string): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').at(-1) || '(empty log)';
  } catch {
    return '(no log)';
  }
}
