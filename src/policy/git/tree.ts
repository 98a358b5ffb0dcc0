/**
 * Which files of a commit's policy directory make the set: `git ls-tree -z -l` output, parsed, and
 * the same rules as the local policy dir (src/policy/dir.ts): `*.cedar` files directly in the
 * directory, not hidden, at most MAX_POLICY_FILE_BYTES. A symlink or an oversized `.cedar` file is
 * a problem named in the refusal, never followed or cut. Pure.
 */
import { MAX_POLICY_FILE_BYTES } from '../dir.js';
import type { PolicyDiagnostic } from '../types.js';

export interface TreeEntry {
  mode: string;
  type: string;
  object: string;
  /** null for entries without a size (trees, submodules). */
  size: number | null;
  name: string;
}

/** `<mode> SP <type> SP <object> SP+ <size> TAB <name> NUL`, repeated. */
export function parseLsTree(output: string): TreeEntry[] {
  return output
    .split('\0')
    .filter((record) => record !== '')
    .map((record) => {
      const match = /^(\d{6}) (\w+) ([0-9a-f]{40,64}) +(-|\d+)\t([\s\S]*)$/.exec(record);
      if (!match) throw new Error(`unexpected git ls-tree output: ${JSON.stringify(record.slice(0, 200))}`);
      const [, mode, type, object, size, name] = match as unknown as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      return { mode, type, object, size: size === '-' ? null : Number(size), name };
    });
}

export type PolicyBlobs = { blobs: { name: string; object: string }[] } | { diagnostics: PolicyDiagnostic[] };

export function policyBlobs(entries: readonly TreeEntry[]): PolicyBlobs {
  const blobs: { name: string; object: string }[] = [];
  const diagnostics: PolicyDiagnostic[] = [];
  const problem = (file: string, message: string) =>
    diagnostics.push({ file, line: null, column: null, message });
  for (const entry of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (!entry.name.endsWith('.cedar') || entry.name.startsWith('.')) continue;
    if (entry.type !== 'blob') continue;
    if (entry.mode === '120000') problem(entry.name, 'is a symbolic link; policies must be regular files');
    else if ((entry.size ?? 0) > MAX_POLICY_FILE_BYTES)
      problem(entry.name, `${entry.size} bytes is more than the limit of ${MAX_POLICY_FILE_BYTES}; split it`);
    else blobs.push({ name: entry.name, object: entry.object });
  }
  if (diagnostics.length > 0) return { diagnostics };
  return { blobs };
}
