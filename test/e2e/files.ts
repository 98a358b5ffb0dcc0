/** What files under a directory hold: for proving a secret reached no file. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

export function filesContaining(dir: string, needle: string): string[] {
  return filesUnder(dir).filter((file) => readFileSync(file).includes(needle));
}
