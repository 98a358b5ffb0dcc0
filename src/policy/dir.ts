/**
 * Reads the policy dir: every `*.cedar` file in it (not hidden files, which is where editors keep
 * swap and backup copies), in name order. A missing dir means the default policy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY_FILE, defaultPolicy } from './defaults.js';
import type { PolicyFile } from './load.js';
import type { PolicyDiagnostic } from './types.js';

/** A policy file larger than this is refused: policies are text a human reviews. */
export const MAX_POLICY_FILE_BYTES = 1024 * 1024;

/** What a reload loads: files, or why they cannot be read. `git` sources are src/policy/git's. */
export type DirContents =
  | { source: 'default' | 'dir' | 'git'; files: PolicyFile[] }
  | { source: 'dir' | 'git'; diagnostics: PolicyDiagnostic[] };

export function readPolicyDir(dir: string, uid: number): DirContents {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      return { source: 'default', files: [{ name: DEFAULT_POLICY_FILE, text: defaultPolicy(uid) }] };
    return { source: 'dir', diagnostics: [unreadable(dir, err)] };
  }
  const files: PolicyFile[] = [];
  const diagnostics: PolicyDiagnostic[] = [];
  for (const name of names.filter((n) => n.endsWith('.cedar') && !n.startsWith('.')).sort()) {
    try {
      const bytes = readFileSync(join(dir, name));
      if (bytes.length > MAX_POLICY_FILE_BYTES) {
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
  return diagnostics.length > 0 ? { source: 'dir', diagnostics } : { source: 'dir', files };
}

function unreadable(file: string, err: unknown): PolicyDiagnostic {
  return { file, line: null, column: null, message: `cannot read: ${(err as Error).message}` };
}
