/** Provides the tally directory to the hardening tests and prints the counts table at the end. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { Tally } from './tally.js';

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'agentid-hardening-'));
  project.provide('hardeningTallyDir', dir);
  return () => {
    const rows = readdirSync(dir)
      .sort()
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Tally);
    const width = Math.max(6, ...rows.map((r) => r.attack.length));
    const lines = [
      '',
      'hardening summary (cases tried, failures):',
      `  ${'attack'.padEnd(width)}  ${'tried'.padStart(7)}  ${'failures'.padStart(8)}  note`,
      ...rows.map(
        (r) =>
          `  ${r.attack.padEnd(width)}  ${String(r.tried).padStart(7)}  ${String(r.failures).padStart(8)}  ${r.note ?? ''}`,
      ),
      '',
    ];
    // The one place the suite writes to the terminal itself: the table is its report.
    process.stdout.write(`${lines.join('\n')}\n`);
    rmSync(dir, { recursive: true, force: true });
  };
}
