/**
 * Which file a path is, as `dev:ino` from stat(2), following links (also /proc's magic links to a
 * process's executable and namespaces). Two paths name one file exactly when these agree; a path
 * alone does not, since another mount namespace can put any file at it.
 */
import { type BigIntStats, statSync } from 'node:fs';
import type { FileStat } from '../native/libc.js';

/** stat(2) of a path, following links; null when the path cannot be stat'ed. */
export function statOrNull(path: string): BigIntStats | null {
  try {
    return statSync(path, { bigint: true, throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

/** The `dev:ino` of a stat: which file it is. */
export function identityOf(st: FileStat): string {
  return `${st.dev}:${st.ino}`;
}

/** null when the path cannot be stat'ed. */
export function fileIdentity(path: string): string | null {
  const st = statOrNull(path);
  return st && identityOf(st);
}
