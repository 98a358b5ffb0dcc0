/**
 * The processes of a tree: a root (pid and start time, so a recycled pid is no root) and every
 * descendant, from each process's parent in /proc/PID/stat. One small read per process, where
 * looking for an fd reads every fd of every process: what a per-session endpoint searches first
 * for the holder of a connection. A snapshot: processes come and go while it is read, which is
 * why its users check what they find.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseStat, readProcRecord } from './procfs.js';

/** The pids under procRoot: every process the kernel shows there. */
export function allPids(procRoot: string): number[] {
  return readdirSync(procRoot)
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** rootPid (when it still has rootStartTime) and its descendants; empty when the root is gone. */
export function processTree(procRoot: string, rootPid: number, rootStartTime: number): number[] {
  const children = new Map<number, number[]>();
  let rootAlive = false;
  for (const pid of allPids(procRoot)) {
    let stat: ReturnType<typeof parseStat>;
    try {
      stat = parseStat(readProcRecord(join(procRoot, String(pid), 'stat')));
    } catch {
      continue; // Gone since the readdir.
    }
    if (pid === rootPid) rootAlive = stat.startTime === rootStartTime;
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(pid);
    else children.set(stat.ppid, [pid]);
  }
  if (!rootAlive) return [];
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i] as number) ?? []));
  return tree;
}
