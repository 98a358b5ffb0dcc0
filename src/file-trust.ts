/**
 * Whether a file or directory is a safe source of what governs agentid (policy, config), the way
 * ssh checks its keys: owned by the user (or root) and not group- or world-writable, so no other
 * user could have written it (SECURITY.md invariant 9). Links are followed: what they lead to is
 * what is read, so that is what is checked.
 */
import { type Stats, statSync } from 'node:fs';

/**
 * Why `path` is not safe to load, with the fix; null when it is safe or does not exist. With
 * `holder`, `path` is only the directory that holds what is loaded: a sticky one (like /tmp) is
 * safe even when others may write to it, since they can add entries but not rename or remove ours.
 */
export function untrustedReason(path: string, uid: number, holder = false): string | null {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT'
      ? null
      : `cannot check: ${(err as Error).message}`;
  }
  const fix = `(fix: chown ${uid} ${path}; chmod go-w ${path})`;
  if (st.uid !== uid && st.uid !== 0)
    return `refused: owned by uid ${st.uid}, not by you (uid ${uid}) ${fix}`;
  const sticky = holder && st.isDirectory() && (st.mode & 0o1000) !== 0;
  if ((st.mode & 0o022) !== 0 && !sticky) {
    const mode = (st.mode & 0o777).toString(8);
    return `refused: group- or world-writable (mode ${mode}), so another user could have changed it ${fix}`;
  }
  if (!st.isDirectory() && !st.isFile()) return 'refused: not a regular file';
  return null;
}
