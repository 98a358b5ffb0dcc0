/**
 * Counts of the hardening suite (cases tried, failures), one JSON file per attack in a directory
 * the global setup provides, so the run can end with one table a closing note can quote.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

export interface Tally {
  attack: string;
  tried: number;
  failures: number;
  /** e.g. the fast-check seed, to replay a failure. */
  note?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    hardeningTallyDir: string;
  }
}

export function record(tally: Tally): void {
  const file = join(inject('hardeningTallyDir'), `${tally.attack.replace(/[^\w-]+/g, '_')}.json`);
  writeFileSync(file, JSON.stringify(tally));
}
