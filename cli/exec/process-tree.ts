/**
 * The process-level powers `agentid exec` needs beyond spawning: making itself a child subreaper
 * (orphans of the session reparent to it, not to init, so they stay below the session's root),
 * sending signals, and reading the process tree from /proc (the sandboxed command below
 * bubblewrap's init, and what is left of a session when its command has exited).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseStat } from '../../src/attest/index.js';
import { PR_SET_CHILD_SUBREAPER, prctl } from '../../src/native/libc.js';

export interface ProcessTree {
  /** PR_SET_CHILD_SUBREAPER for this process (Linux); false where there is none. */
  becomeSubreaper(): boolean;
  /** Sends a signal; false when the process is gone. */
  signal(pid: number, signal: NodeJS.Signals): boolean;
  /** Direct children of pid. */
  children(pid: number): number[];
  /** Every process below pid, children first. */
  descendants(pid: number): number[];
}

/** `kill` is process.kill, passed in by cli/main.ts. */
export function linuxProcessTree(
  kill: (pid: number, signal: NodeJS.Signals) => void,
  procRoot = '/proc',
): ProcessTree {
  function parents(): Map<number, number[]> {
    const byParent = new Map<number, number[]>();
    for (const name of readdirSync(procRoot)) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const { pid, ppid } = parseStat(readFileSync(`${procRoot}/${name}/stat`, 'utf8'));
        byParent.set(ppid, [...(byParent.get(ppid) ?? []), pid]);
      } catch {
        // exited since readdir
      }
    }
    return byParent;
  }
  return {
    becomeSubreaper() {
      try {
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        return true;
      } catch {
        return false;
      }
    },
    signal(pid, signal) {
      try {
        kill(pid, signal);
        return true;
      } catch {
        return false;
      }
    },
    children(pid) {
      try {
        const text = readFileSync(`${procRoot}/${pid}/task/${pid}/children`, 'utf8').trim();
        return text === '' ? [] : text.split(' ').map(Number);
      } catch {
        return parents().get(pid) ?? [];
      }
    },
    descendants(pid) {
      const byParent = parents();
      const found: number[] = [];
      for (let i = 0, queue = [pid]; i < queue.length; i++) {
        for (const child of byParent.get(queue[i] as number) ?? []) {
          found.push(child);
          queue.push(child);
        }
      }
      return found;
    },
  };
}
