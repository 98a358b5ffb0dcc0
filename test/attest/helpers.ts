import { type ChildProcess, execFileSync, type SpawnOptions, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createAttestor } from '../../src/attest/index.js';
import { parseStat } from '../../src/attest/procfs.js';

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
