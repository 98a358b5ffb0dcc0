/**
 * Reads the policy dir: every `*.cedar` file in it (not hidden files, which is where editors keep
 * swap and backup copies), in name order, each with its sha256 for the audit row of the load. A
 * missing dir means the default policy.
 *
 * Like ssh with its keys, nothing is loaded from a place another user could have written: the
 * policy dir, the directory holding it, and every file (src/file-trust.ts).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { untrustedReason } from '../file-trust.js';
import { DEFAULT_POLICY_FILE, defaultPolicy } from './defaults.js';
import type { PolicyFile } from './load.js';
import type { PolicyDiagnostic } from './types.js';

/** A policy file larger than this is refused: policies are text a human reviews. */
export const MAX_POLICY_FILE_BYTES = 1024 * 1024;

/** A file read for a load, by name and content hash (what the audit row records). */
export interface FileDigest {
  name: string;
  sha256: string;
}

/**
 * What a reload loads: files, or why they cannot be read (`unsafe`: permissions refused them),
 * with the sha256 of each file read. `git` sources are src/policy/git's.
 */
export type DirContents =
  | { source: 'default' | 'dir' | 'git'; files: PolicyFile[]; digests: FileDigest[] }
  | { source: 'dir' | 'git'; diagnostics: PolicyDiagnostic[]; digests: FileDigest[]; unsafe: boolean };

/** `uid` is substituted into the default policy; `owner` must own what is loaded (or root). */
export function readPolicyDir(dir: string, uid: number, owner: number = uid): DirContents {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const text = defaultPolicy(uid);
      return {
        source: 'default',
        files: [{ name: DEFAULT_POLICY_FILE, text }],
        digests: [digestOf(DEFAULT_POLICY_FILE, text)],
      };
    }
    return { source: 'dir', diagnostics: [unreadable(dir, err)], digests: [], unsafe: false };
  }
  const unsafeDirs = [dirname(dir), dir].flatMap((d) => {
    const why = untrustedReason(d, owner, d !== dir);
    return why ? [{ file: d, line: null, column: null, message: why }] : [];
  });
  const files: PolicyFile[] = [];
  const digests: FileDigest[] = [];
  const diagnostics: PolicyDiagnostic[] = [...unsafeDirs];
  let unsafe = unsafeDirs.length > 0;
  for (const name of names.filter((n) => n.endsWith('.cedar') && !n.startsWith('.')).sort()) {
    const path = join(dir, name);
    try {
      const why = untrustedReason(path, owner);
      const bytes = readFileSync(path);
      digests.push({ name, sha256: createHash('sha256').update(bytes).digest('hex') });
      if (why) {
        unsafe = true;
        diagnostics.push({ file: name, line: null, column: null, message: why });
      } else if (bytes.length > MAX_POLICY_FILE_BYTES) {
        diagnostics.push({
          file: name,
          line: null,
          column: null,
          message: `${bytes.length} bytes is more than the limit of ${MAX_POLICY_FILE_BYTES}; split it`,
        });
      } else files.push({ name, text: bytes.toString('utf8') });
    } catch (err) {
      // Deleted between readdir and read (an editor's rename-write): the next event reloads.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') diagnostics.push(unreadable(name, err));
    }
  }
  return diagnostics.length > 0
    ? { source: 'dir', diagnostics, digests, unsafe }
    : { source: 'dir', files, digests };
}

/** A file's name and the sha256 of its text, as audit rows of policy loads record it. */
export function digestOf(name: string, text: string): FileDigest {
  return { name, sha256: createHash('sha256').update(text).digest('hex') };
}

function unreadable(file: string, err: unknown): PolicyDiagnostic {
  return { file, line: null, column: null, message: `cannot read: ${(err as Error).message}` };
}
