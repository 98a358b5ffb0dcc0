/**
 * The executable a process runs, as the kernel sees it: /proc/PID/exe names the running inode's
 * path, which the process cannot fake the way it can rewrite argv[0].
 */
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** null when /proc cannot tell (process gone, or not ours to read). */
export function readExe(procRoot: string, pid: number): string | null {
  try {
    return readlinkSync(join(procRoot, String(pid), 'exe'));
  } catch {
    return null;
  }
}
