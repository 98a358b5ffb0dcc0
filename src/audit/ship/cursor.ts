/**
 * The ship cursor of one sink: the seq of the last row known delivered, persisted in the state dir
 * so a restart (or a crash) resumes from there. Written atomically: a temp file, fsync, rename over
 * the cursor, fsync of the directory, so a crash leaves the old cursor or the new one, never a torn
 * one. A cursor only ever names rows already delivered, so resuming from it resends at most what
 * was delivered after it was written (at-least-once), never skips.
 *
 * The file lives in the daemon's private state dir. A same-uid process outside a sandbox can still
 * rewrite it, as it can every file of the user; the collector's defence is that seqs are contiguous,
 * so a skipped row shows as a hole in the MSGIDs it received.
 */
import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AgentIdError } from '../../errors.js';
import type { CursorState, GapReport } from './types.js';

/** The cursor in `file`, null when there is none yet (a sink never started). */
export async function readCursor(file: string): Promise<CursorState | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw unreadable(file, (err as Error).message);
  }
  let value: Partial<CursorState>;
  try {
    value = JSON.parse(text) as Partial<CursorState>;
  } catch {
    throw unreadable(file, 'it is not JSON');
  }
  const { seq, target, gap } = value ?? {};
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0 || typeof target !== 'string')
    throw unreadable(file, 'it is not {seq, target, gap}');
  return { seq, target, gap: isGap(gap) ? gap : null };
}

export async function writeCursor(file: string, state: CursorState): Promise<void> {
  const temp = `${file}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(state)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  // The rename itself must reach the disk, or a power loss could bring back the old cursor file.
  const dir = await open(dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

function isGap(value: unknown): value is GapReport {
  const gap = value as Partial<GapReport> | null | undefined;
  return (
    typeof gap?.from === 'number' &&
    typeof gap.to === 'number' &&
    (gap.reason === 'pruned' || gap.reason === 'deleted') &&
    typeof gap.at === 'string'
  );
}

function unreadable(file: string, why: string): AgentIdError {
  return new AgentIdError(
    'ERR_AUDIT_SHIP_CURSOR',
    `cannot read the ship cursor ${file}: ${why}; shipping restarts from the oldest row in the log ` +
      '(the collector may see rows twice)',
  );
}
