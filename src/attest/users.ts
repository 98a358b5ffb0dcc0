/**
 * uid and gid names from /etc/passwd and /etc/group, for audit rows and selectors people can read.
 * Read from the files (not NSS: no native binding for getpwuid), so directory-service users get
 * no name. Each file is parsed once and re-read only when its stamp changes.
 */
import { readFileSync } from 'node:fs';
import { fileStamp } from './file-stamp.js';

/** passwd and group share the layout `name:password:id:...`; the first line for an id wins, as in getpwuid. */
export function parseIdNames(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (!name || id === undefined || !/^\d+$/.test(id)) continue;
    const n = Number(id);
    if (!names.has(n)) names.set(n, name);
  }
  return names;
}

export function createNameLookup(file: string): (id: number) => string | null {
  let stamp: string | null = null;
  let names = new Map<number, string>();
  return (id) => {
    const now = fileStamp(file);
    if (now !== stamp) {
      stamp = now;
      try {
        names = parseIdNames(readFileSync(file, 'utf8'));
      } catch {
        names = new Map();
      }
    }
    return names.get(id) ?? null;
  };
}
