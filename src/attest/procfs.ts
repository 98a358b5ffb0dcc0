/**
 * Reading /proc for attestation. A process is read through an fd on its /proc/PID directory, so
 * every later read names the process that directory was opened for: once it exits, reads through
 * the fd fail rather than describe a newcomer that reused the pid (the openat(2) idiom: openat,
 * readlinkat and statx are bound from libc, as Node has none of them; a path through the fd's
 * /proc/self/fd magic link, which resolves to the opened directory itself, serves where a whole
 * directory is listed or an open must not block the event loop).
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { AgentIdError } from '../errors.js';
import { type FileStat, openAt, readLinkAt, statAt } from '../native/libc.js';
import { BoundedCache } from './bounded-cache.js';

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** Field 22: clock ticks after boot. */
  startTime: number;
}

export interface ProcStatus {
  tgid: number;
  /** Effective ids: what SO_PEERCRED reports and what the process acts as. */
  uid: number;
  gid: number;
}

function malformed(what: string): AgentIdError {
  return new AgentIdError('ERR_ATTEST_UNREADABLE', `/proc ${what} is malformed`);
}

function integer(text: string | undefined, what: string): number {
  const value = Number(text);
  if (text === undefined || text === '' || !Number.isSafeInteger(value) || value < 0) throw malformed(what);
  return value;
}

/**
 * /proc/PID/stat: the fields attestation reads. comm is whatever the process named itself (up to
 * 15 bytes, spaces and ')' included), so the fields after it are found from the last ')'.
 */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf(' (');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) throw malformed('stat');
  // After ") ": state is field 3, so field N is at index N - 3.
  const field = fieldsFrom(text, close + 2);
  const state = field(0);
  if (state === undefined || state.length !== 1) throw malformed('stat');
  const ppid = integer(field(1), 'stat');
  const startTime = integer(field(19), 'stat');
  return {
    pid: integer(text.slice(0, open), 'stat'),
    comm: text.slice(open + 2, close),
    state,
    ppid,
    startTime,
  };
}

/**
 * Where the process's code, stack, arguments and environment sit in memory (fields 26-28 and
 * 45-51 of a stat line parseStat accepted), joined: new on every execve (address randomisation,
 * another binary's segments), so it tells an exec that kept pid and start time. All zero when the
 * reader may not see them. Apart from parseStat, since only a process's image needs it, not
 * each of its ancestors.
 */
export function parseLayout(text: string): string {
  const field = fieldsFrom(text, text.lastIndexOf(')') + 2);
  return LAYOUT_FIELDS.map((i) => field(i) ?? '').join(':');
}

/** parseLayout's fields, as indexes after ") ". */
const LAYOUT_FIELDS = [23, 24, 25, 42, 43, 44, 45, 46, 47, 48] as const;

/**
 * The space-separated fields of `text` from `start`, as split(' ') numbers them, asked for in
 * increasing order. Only the fields asked for are cut out: splitting all ~50 of a stat line was
 * most of the cost of an ancestor's hop, and a request parses one stat line per ancestor.
 */
function fieldsFrom(text: string, start: number): (index: number) => string | undefined {
  let index = 0;
  let at = start;
  return (wanted) => {
    for (; index < wanted && at <= text.length; index++) {
      const space = text.indexOf(' ', at);
      at = space === -1 ? text.length + 1 : space + 1;
    }
    if (at > text.length) return undefined;
    const space = text.indexOf(' ', at);
    const end = space === -1 ? text.length : space;
    const value = text.slice(at, end);
    index = wanted + 1;
    at = end + 1;
    return value;
  };
}

/** /proc/PID/status: Tgid, and the effective uid and gid (second of real, effective, saved, fs). */
export function parseStatus(text: string): ProcStatus {
  const tgid = /^Tgid:\s*(\d+)$/m.exec(text)?.[1];
  const uid = /^Uid:\s*\d+\s+(\d+)/m.exec(text)?.[1];
  const gid = /^Gid:\s*\d+\s+(\d+)/m.exec(text)?.[1];
  return { tgid: integer(tgid, 'status'), uid: integer(uid, 'status'), gid: integer(gid, 'status') };
}

/** /proc/PID/cmdline: NUL-terminated argv. A process that rewrote it may leave no terminator. */
export function splitCmdline(text: string): string[] {
  if (text === '') return [];
  const args = text.split('\0');
  if (args.at(-1) === '') args.pop();
  return args;
}

// /proc files report size 0, so they are read to their end; one shared buffer serves every sync read.
const buffer = Buffer.allocUnsafe(64 * 1024);

/**
 * A /proc file of one small record: stat, status, fdinfo (seq_file's single_open). The kernel
 * formats the whole record on the first read and hands over all of it that fits, so a read that
 * returns less than was asked has reached the end: one read instead of a second one that returns
 * 0. A warm attestation reads a dozen of these (an ancestor's stat per hop).
 */
export function readProcRecord(path: string): string {
  return readOpened(openSync(path, 'r'), true);
}

/** Descriptors readKeptRecord keeps open: enough for every hop of several agents' chains. */
const KEPT_RECORD_FILES = 256;
const kept = new BoundedCache<string, number>(KEPT_RECORD_FILES, (fd) => closeSync(fd));

/**
 * readProcRecord through a descriptor kept open by path, for a record re-read on every request
 * (an ancestor's stat): one pread instead of an open, a read and a close. A read at offset 0
 * makes the kernel format the record afresh, so it is as current as opening the path again. While
 * the process lives the descriptor names it, and so does its pid; once it has exited, reads
 * through the descriptor fail (ESRCH) and the path is opened anew, for whichever process holds
 * that pid by then.
 */
export function readKeptRecord(path: string): string {
  const fd = kept.get(path);
  if (fd !== undefined) {
    try {
      return readWhole(fd, true);
    } catch {
      kept.delete(path);
    }
  }
  const opened = openSync(path, 'r');
  try {
    const text = readWhole(opened, true);
    kept.set(path, opened);
    return text;
  } catch (err) {
    closeSync(opened);
    throw err;
  }
}

/** readProcRecord of file `name` of an open /proc/PID directory. */
export function readRecordIn(dir: ProcDir, name: string): string {
  return readIn(dir, name, true);
}

/** The files a kept directory keeps open: those every request reads (not fdinfo/N, of which there are many). */
const KEPT_IN_DIR: ReadonlySet<string> = new Set(['stat', 'status', 'cmdline']);

function readIn(dir: ProcDir, name: string, shortReadIsEnd: boolean): string {
  if (!dir.records || !KEPT_IN_DIR.has(name)) return readOpened(openAt(dir.fd, name), shortReadIsEnd);
  let fd = dir.records.get(name);
  if (fd === undefined) {
    fd = openAt(dir.fd, name);
    dir.records.set(name, fd);
  }
  return readWhole(fd, shortReadIsEnd);
}

/** readWhole, then closes `fd`. */
function readOpened(fd: number, shortReadIsEnd: boolean): string {
  try {
    return readWhole(fd, shortReadIsEnd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads `fd` from offset 0 to its end (or, if `shortReadIsEnd`, to its first short read). By
 * position, so a descriptor kept open reads its file afresh each time.
 */
function readWhole(fd: number, shortReadIsEnd: boolean): string {
  let used = 0;
  for (;;) {
    if (used === buffer.length) return readRest(fd, Buffer.from(buffer));
    const n = readSync(fd, buffer, used, buffer.length - used, used);
    used += n;
    if (n === 0 || (shortReadIsEnd && used < buffer.length)) return buffer.toString('utf8', 0, used);
  }
}

// Only a long cmdline gets here; the kernel bounds argv at a few MiB.
function readRest(fd: number, head: Buffer): string {
  const chunks = [head];
  let position = head.length;
  for (;;) {
    const chunk = Buffer.allocUnsafe(buffer.length);
    const n = readSync(fd, chunk, 0, chunk.length, position);
    if (n === 0) return Buffer.concat(chunks).toString('utf8');
    chunks.push(chunk.subarray(0, n));
    position += n;
  }
}

/**
 * An open /proc/PID directory: its files are read relative to `fd` (openat, readlinkat: 3 µs
 * cheaper per file here than through `path`); `path` reaches them for calls that take only a path.
 * A kept directory (one per connection, for all its requests) keeps its records' descriptors in
 * `records` and re-reads them by position: every descriptor opened through the directory names
 * the same process it does.
 */
export interface ProcDir {
  readonly fd: number;
  readonly path: string;
  readonly records?: Map<string, number>;
}

/** Throws the raw fs error (ENOENT: no such process, or hidden by hidepid). */
export function openProcDir(procRoot: string, pid: number, keep = false): ProcDir {
  const fd = openSync(`${procRoot}/${pid}`, constants.O_RDONLY | constants.O_DIRECTORY);
  const path = `/proc/self/fd/${fd}`;
  return keep ? { fd, path, records: new Map() } : { fd, path };
}

export function closeProcDir(dir: ProcDir): void {
  for (const fd of dir.records?.values() ?? []) closeSync(fd);
  closeSync(dir.fd);
}

export function readStat(dir: ProcDir): ProcStat {
  return parseStat(readRecordIn(dir, 'stat'));
}

export function readStatus(dir: ProcDir): ProcStatus {
  return parseStatus(readRecordIn(dir, 'status'));
}

export function readCmdline(dir: ProcDir): string[] {
  return splitCmdline(readIn(dir, 'cmdline', false));
}

export function readLink(dir: ProcDir, name: 'exe' | 'cwd'): string {
  return readLinkAt(dir.fd, name);
}

/** stat(2) of the file a link of the process names (its executable, its user namespace); null when unreadable. */
export function statIn(dir: ProcDir, name: 'exe' | 'ns/user'): FileStat | null {
  return statAt(dir.fd, name);
}

export function errnoOf(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Zombie or dead: the process has exited and only its pid is left. */
export function hasExited(stat: ProcStat): boolean {
  return stat.state === 'Z' || stat.state === 'X';
}
