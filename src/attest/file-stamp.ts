/**
 * A file's identity and change stamps as one comparable string, for cache validity checks. ctime
 * is in it because mtime alone can be set back with utimes(2) by whoever owns the file; ctime
 * cannot, so an edit followed by a faked mtime still changes the stamp.
 */
import { statSync } from 'node:fs';
import type { FileStat } from '../native/libc.js';

export function stampOf(st: FileStat): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/** '' when the path does not exist or cannot be stat'ed, so its later appearance is a change too. */
export function fileStamp(path: string): string {
  try {
    const st = statSync(path, { bigint: true, throwIfNoEntry: false });
    return st ? stampOf(st) : '';
  } catch {
    return '';
  }
}
