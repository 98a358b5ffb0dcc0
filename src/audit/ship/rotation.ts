/**
 * Size-based rotation of the OCSF JSON-lines file, the way file-tailing collectors (Fluent Bit,
 * Vector, the OpenTelemetry filelog receiver) expect it: the full file is renamed to `<path>.1`,
 * older ones shift up to `<path>.<keep>` (the oldest is overwritten), and a new file is started.
 * Renaming keeps the inode a collector is reading, so it finishes the old file before it follows
 * the new one. Pure: the decision and the renames, in the order they must run.
 */

/** Whether `lineBytes` more would take a non-empty file past `maxBytes` (a lone long line still goes). */
export function mustRotate(currentBytes: number, lineBytes: number, maxBytes: number): boolean {
  return currentBytes > 0 && currentBytes + lineBytes > maxBytes;
}

/** [from, to] renames, oldest first, so no rename overwrites a file before it has moved. */
export function rotationRenames(path: string, keep: number): [from: string, to: string][] {
  const renames: [string, string][] = [];
  for (let n = keep - 1; n >= 1; n--) renames.push([`${path}.${n}`, `${path}.${n + 1}`]);
  renames.push([path, `${path}.1`]);
  return renames;
}
