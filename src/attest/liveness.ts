/**
 * Whether a process named by (pid, start time) still runs: the way sessions and per-session
 * endpoints learn that their root is gone. The start time makes a recycled pid count as gone.
 */
import { join } from 'node:path';
import { parseStat, readProcRecord } from './procfs.js';

export function processAlive(procRoot: string, pid: number, startTime: number): boolean {
  try {
    return parseStat(readProcRecord(join(procRoot, String(pid), 'stat'))).startTime === startTime;
  } catch {
    return false;
  }
}
