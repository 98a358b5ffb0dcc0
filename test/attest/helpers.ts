import { type ChildProcess, execFileSync, type SpawnOptions, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { createAttestor } from '../../src/attest/index.js';
import { parseStat } from '../../src/attest/procfs.js';
import { closePidfd } from '../../src/peer/index.js';

export const isRoot = process.getuid?.() === 0;
export { NOBODY } from '../other-uid.js';
export const MAX_HASH_BYTES = 512 * 1024 * 1024;

export function newAttestor(options: Partial<Parameters<typeof createAttestor>[0]> = {}) {
  return createAttestor({ procRoot: '/proc', maxHashBytes: MAX_HASH_BYTES, ...options });
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function startTimeOf(pid: number): number {
  return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).startTime;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' });
}

export function codeOf(code: string) {
  return expect.objectContaining({ code });
}

/** Temp dirs and child processes of one test file, cleaned up after each test. */
export class Scratch {
  readonly #dirs: string[] = [];
  readonly #children: ChildProcess[] = [];
  readonly #pids: number[] = [];

  dir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'agentid-attest-'));
    this.#dirs.push(dir);
    return dir;
  }

  /** uv_spawn returns after the child's execve succeeded, so /proc already shows the new program. */
  spawn(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'], ...options });
    this.#children.push(child);
    return child;
  }

  /** A process we did not spawn ourselves (a grandchild) to kill at cleanup. */
  adopt(pid: number): void {
    this.#pids.push(pid);
  }

  async cleanup(): Promise<void> {
    for (const pid of this.#pids.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    await Promise.all(
      this.#children.splice(0).map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGKILL');
        await once(child, 'exit');
      }),
    );
    for (const dir of this.#dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A Unix socket server per test in `scratch`, standing in for the daemon's: the tests connect real
 * processes to it and attest them. Afterwards the pidfds they kept, the accepted sockets, the
 * server and the scratch dir are closed and removed.
 */
export function usePeerServer(scratch: Scratch): {
  readonly socketPath: string;
  readonly server: Server;
  pidfds: (number | null)[];
} {
  const sockets: Socket[] = [];
  const pidfds: (number | null)[] = [];
  let socketPath = '';
  let server: Server | undefined;
  beforeEach(async () => {
    socketPath = join(scratch.dir(), 'agentid.sock');
    server = createServer((socket) => sockets.push(socket));
    server.listen(socketPath);
    await once(server, 'listening');
  });
  afterEach(async () => {
    for (const pidfd of pidfds.splice(0)) closePidfd(pidfd);
    for (const socket of sockets.splice(0)) socket.destroy();
    server?.close();
    if (server) await once(server, 'close');
    await scratch.cleanup();
  });
  return {
    get socketPath() {
      return socketPath;
    },
    get server() {
      if (!server) throw new Error('usePeerServer: used outside a test');
      return server;
    },
    pidfds,
  };
}
