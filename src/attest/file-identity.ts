/**
 * Which file a path is, as `dev:ino` from stat(2), following links (also /proc's magic links to a
 * process's executable and namespaces). Two paths name one file exactly when these agree; a path
 * alone does not, since another mount namespace can put any file at it.
 */
import { statSync } from 'node:fs';

/** null when the path cannot be stat'ed. */
export function fileIdentity(path: string): string | null {
  try {
    const st = statSync(path, { bigint: true, throwIfNoEntry: false });
    return st ? `${st.dev}:${st.ino}` : null;
  } catch {
    return null;
  }
}
