/**
 * Fixtures for the TUI tests: a real audit log written by the real AuditWriter (fixed clock and
 * ids, so screens are predictable) and read by the real AuditReader, and a wait for ink's output.
 */
import { expect } from 'vitest';
import { AuditReader, AuditWriter } from '../../src/audit/index.js';
import { event, tempDbPath } from '../audit/helpers.js';

export const AGENTS = ['claude', 'cursor', 'codex'] as const;

/** A log of `n` rows, one second apart from 2025-06-01T12:00:00Z; row i has agent AGENTS[i % 3]. */
export function writeLog(n: number): { path: string; writer: AuditWriter; append(i: number): void } {
  const path = tempDbPath();
  let ms = Date.parse('2025-06-01T12:00:00.000Z');
  let id = 0;
  const writer = AuditWriter.open(path, {
    now: () => {
      ms += 1000;
      return new Date(ms);
    },
    randomUUID: () => `00000000-0000-4000-8000-${String(++id).padStart(12, '0')}`,
  });
  const append = (i: number) =>
    writer.append(
      event({
        agent: AGENTS[i % 3] ?? 'claude',
        decision: i % 4 === 3 ? 'deny' : 'allow',
        resource: `cred-${i + 1}`,
      }),
    );
  for (let i = 0; i < n; i++) append(i);
  return { path, writer, append };
}

export function openReader(path: string): AuditReader {
  return AuditReader.open(path);
}

/** Waits until `frame()` satisfies `check` (ink renders asynchronously). */
export async function waitFor(
  frame: () => string | undefined,
  check: (text: string) => boolean,
): Promise<string> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const text = frame() ?? '';
    if (check(text)) return text;
    if (Date.now() > deadline) {
      expect.fail(`screen never matched; last frame:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The seqs of the table rows on screen, newest first. */
export function seqsOnScreen(text: string): number[] {
  return [...text.matchAll(/^[ ›] (\d+)\s+2025-/gm)].map((m) => Number(m[1]));
}

/** The seq of the selected row (marked `›`). */
export function selectedSeq(text: string): number | undefined {
  const match = /^› (\d+)\s/m.exec(text);
  return match ? Number(match[1]) : undefined;
}
