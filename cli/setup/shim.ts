/**
 * Where `agentid install-shim` puts `agentid` (and `git-credential-agentid`) so that a bare
 * `agentid` works from a fresh clone, without root: a directory of the user's that is already on
 * PATH (~/.local/bin, as systemd's file-hierarchy and most distributions' ~/.profile have it, or
 * ~/bin), /usr/local/bin for root, and otherwise ~/.local/bin with the line to put it on PATH.
 * `npm link` was not chosen: with a system Node its global prefix is /usr, so it needs root, and
 * it links the whole package into the global node_modules. Pure, so it has table tests.
 */
import { delimiter, join, resolve } from 'node:path';

/** The shims and the agentid arguments each runs with. */
export const SHIMS: readonly { name: string; args: readonly string[] }[] = [
  { name: 'agentid', args: [] },
  { name: 'git-credential-agentid', args: ['git-credential'] },
];

export interface ShimDir {
  dir: string;
  onPath: boolean;
}

export function pathDirs(path: string | undefined): string[] {
  return (path ?? '')
    .split(delimiter)
    .filter((d) => d !== '')
    .map((d) => resolve(d));
}

export function chooseShimDir(env: { PATH?: string; HOME?: string }, home: string, uid: number): ShimDir {
  const onPath = new Set(pathDirs(env.PATH));
  const userHome = env.HOME || home;
  const mine = [join(userHome, '.local', 'bin'), join(userHome, 'bin')];
  const found = mine.find((d) => onPath.has(d));
  if (found) return { dir: found, onPath: true };
  if (uid === 0 && onPath.has('/usr/local/bin')) return { dir: '/usr/local/bin', onPath: true };
  return { dir: mine[0] as string, onPath: false };
}
