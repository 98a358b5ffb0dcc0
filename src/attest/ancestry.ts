/**
 * The chain of parents of a process, parent first. Ancestors are long-lived (shells, terminals,
 * the agent itself), so what is costly to read about them (exe, cmdline) is cached by
 * (pid, start time), which names one process for good; a warm walk re-reads one stat file per hop,
 * through a descriptor kept open (procfs.ts, readKeptRecord).
 * The walk is bounded and stops, rather than guesses, where the chain stops making sense.
 */

import { BoundedCache } from './bounded-cache.js';
import { identityOf } from './file-identity.js';
import {
  closeProcDir,
  errnoOf,
  openProcDir,
  type ProcDir,
  type ProcStat,
  parseStat,
  readCmdline,
  readKeptRecord,
  readLink,
  readStat,
  statIn,
} from './procfs.js';
import type { AncestorInfo } from './types.js';

const MAX_HOPS = 64;
const MAX_ENTRIES = 4096;

interface Cached {
  /** comm changes on execve, which keeps pid and start time: a changed comm means re-read. */
  comm: string;
  exe: string | null;
  exeFile: string | null;
  cmdline: string[];
}

/** Ancestors of the process whose stat is given, parent first. */
export type AncestorWalk = (child: ProcStat) => AncestorInfo[];

export function createAncestry(procRoot: string): AncestorWalk {
  const cache = new BoundedCache<string, Cached>(MAX_ENTRIES);

  // Cold path: exe and cmdline through the pinned directory, so both belong to the stat's process.
  function describe(pid: number, stat: ProcStat): Cached | null {
    let dir: ProcDir;
    try {
      dir = openProcDir(procRoot, pid);
    } catch {
      return null;
    }
    try {
      const again = readStat(dir);
      if (again.startTime !== stat.startTime) return null;
      let exe: string | null = null;
      let exeFile: string | null = null;
      let stable = true;
      try {
        exe = readLink(dir, 'exe');
        const exeStat = statIn(dir, 'exe');
        exeFile = exeStat && identityOf(exeStat);
      } catch (err) {
        // Not ours to read (another user's process, non-dumpable): a fact worth caching. Anything
        // else (exiting) is not.
        const code = errnoOf(err);
        stable = code === 'EACCES' || code === 'EPERM';
      }
      let cmdline: string[] = [];
      try {
        cmdline = readCmdline(dir);
      } catch {
        stable = false;
      }
      const entry = { comm: again.comm, exe, exeFile, cmdline };
      if (stable) cache.set(`${pid}:${stat.startTime}`, entry);
      return entry;
    } catch {
      return null;
    } finally {
      closeProcDir(dir);
    }
  }

  return (child) => {
    const ancestors: AncestorInfo[] = [];
    const seen = new Set([child.pid]);
    let pid = child.ppid;
    let notAfter = child.startTime;
    while (pid > 0 && ancestors.length < MAX_HOPS && !seen.has(pid)) {
      seen.add(pid);
      let stat: ProcStat;
      try {
        stat = parseStat(readKeptRecord(`${procRoot}/${pid}/stat`));
      } catch {
        break;
      }
      // A parent starts no later than its child. A later start means the parent exited during the
      // walk and its pid already names another process: that is where the known chain ends.
      if (stat.pid !== pid || stat.startTime > notAfter) break;
      const cached = cache.get(`${pid}:${stat.startTime}`);
      const info = cached && cached.comm === stat.comm ? cached : describe(pid, stat);
      if (info === null) break;
      // A copy: callers own what they are given, the cache owns what it keeps.
      ancestors.push({
        pid,
        startTime: stat.startTime,
        exe: info.exe,
        exeFile: info.exeFile,
        cmdline: [...info.cmdline],
      });
      pid = stat.ppid;
      notAfter = stat.startTime;
    }
    return ancestors;
  };
}
