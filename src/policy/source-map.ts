/**
 * Cedar reports source locations as byte offsets into the text it was given. Policies are handed
 * to Cedar one by one (so each can carry a `<file>:<id>` name), so an offset is first shifted by
 * where that policy starts in its file, then turned into the 1-based line and column (in
 * characters) an editor shows.
 */
import type { DetailedError } from '@cedar-policy/cedar-wasm/nodejs';
import type { PolicyDiagnostic } from './types.js';

export function lineColumn(text: string, byteOffset: number): { line: number; column: number } {
  const before = Buffer.from(text, 'utf8').subarray(0, Math.max(0, byteOffset)).toString('utf8');
  const lines = before.split('\n');
  const last = lines.at(-1) ?? '';
  return { line: lines.length, column: [...last].length + 1 };
}

/** A Cedar error about `text` of `file`, whose offsets are relative to byte `base` of the file. */
export function diagnosticOf(file: string, text: string, error: DetailedError, base = 0): PolicyDiagnostic {
  const start = error.sourceLocations?.[0]?.start;
  const at = start === undefined ? null : lineColumn(text, base + start);
  const label = error.sourceLocations?.[0]?.label;
  const detail = [label, error.help].filter((s): s is string => Boolean(s)).join('; ');
  return {
    file,
    line: at?.line ?? null,
    column: at?.column ?? null,
    message: detail ? `${error.message} (${detail})` : error.message,
  };
}

export function formatDiagnostic(d: PolicyDiagnostic): string {
  const where = d.line === null ? d.file : `${d.file}:${d.line}:${d.column}`;
  return `${where}: ${d.message}`;
}
