/**
 * The git repository a process works in, found the way git finds it (walk up from the cwd to the
 * first `.git` directory or `gitdir:` file, worktrees reading their common dir's config) but from
 * files alone: running git would run the repository's config (fsmonitor, hooks) on the daemon's
 * behalf. Results are cached per cwd together with stamps of every file and directory the walk
 * looked at, so a warm lookup is a handful of stats, and a `git init` or a changed remote is seen.
 * Weak on its own: any process can chdir into any repository it can read.
 */
import { type BigIntStats, closeSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { BoundedCache } from './bounded-cache.js';
import { fileStamp, stampOf } from './file-stamp.js';
import { parseGitConfigRemote } from './git-config.js';

export interface RepoInfo {
  root: string;
  remote: string | null;
}

interface Found {
  repo: RepoInfo | null;
  /** Everything the walk depended on: path → fileStamp at the time. */
  stamps: Array<[string, string]>;
}

const MAX_ENTRIES = 1024;
// A config is a few KiB; anything far larger is not read on the daemon's request path.
const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_GITFILE_BYTES = 4096;

/** Whole file as text, or null when missing, unreadable or over `max` bytes. */
function readSmall(path: string, max: number): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const buffer = Buffer.allocUnsafe(max + 1);
    let used = 0;
    for (;;) {
      const n = readSync(fd, buffer, used, buffer.length - used, null);
      if (n === 0) return buffer.toString('utf8', 0, used);
      used += n;
      if (used > max) return null;
    }
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

// `.git` as a file (worktree, submodule): one line `gitdir: <path>`, relative to its directory.
function gitDirFromFile(gitFile: string, dir: string): string | null {
  const match = /^gitdir: ?(.+?)\s*$/m.exec(readSmall(gitFile, MAX_GITFILE_BYTES) ?? '');
  return match?.[1] ? resolve(dir, match[1]) : null;
}

// A linked worktree keeps its own HEAD but shares config with the main repository's git dir.
function commonDir(gitDir: string): string {
  const rel = readSmall(join(gitDir, 'commondir'), MAX_GITFILE_BYTES)?.trim();
  if (!rel) return gitDir;
  return isAbsolute(rel) ? rel : resolve(gitDir, rel);
}

function discover(cwd: string): Found | null {
  const stamps: Array<[string, string]> = [];
  let dir = cwd;
  for (;;) {
    const dirStamp = fileStamp(dir);
    // A cwd that is gone (or "... (deleted)") has no repository, and is not worth a cache entry.
    if (dirStamp === '') return null;
    stamps.push([dir, dirStamp]);
    const dotGit = join(dir, '.git');
    let st: BigIntStats | undefined;
    try {
      st = statSync(dotGit, { bigint: true, throwIfNoEntry: false });
    } catch {
      st = undefined;
    }
    if (st) {
      const gitDir = st.isDirectory() ? dotGit : st.isFile() ? gitDirFromFile(dotGit, dir) : null;
      // git skips a `.git` without HEAD and keeps walking; so do we.
      if (gitDir !== null && fileStamp(join(gitDir, 'HEAD')) !== '') {
        const config = join(commonDir(gitDir), 'config');
        stamps.push([dotGit, stampOf(st)], [config, fileStamp(config)]);
        const text = readSmall(config, MAX_CONFIG_BYTES);
        return { repo: { root: dir, remote: text === null ? null : parseGitConfigRemote(text) }, stamps };
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return { repo: null, stamps };
    dir = parent;
  }
}

/** Returns a lookup: the repository containing `cwd` (an absolute, canonical path), or null. */
export function createRepoLocator(): (cwd: string) => RepoInfo | null {
  const cache = new BoundedCache<string, Found>(MAX_ENTRIES);
  return (cwd) => {
    const cached = cache.get(cwd);
    // Creating `.git` anywhere on the walked path changes that directory's mtime; editing the
    // config changes its own stamps.
    if (cached?.stamps.every(([path, stamp]) => fileStamp(path) === stamp)) return cached.repo;
    const found = discover(cwd);
    if (found === null) return null;
    cache.set(cwd, found);
    return found.repo;
  };
}
