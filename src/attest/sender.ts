/**
 * Is the process that connected the code that sends? SO_PEERCRED names the process that called
 * connect(), and a pidfd proves that process is alive; neither says it has not exec'd another
 * binary since, keeping the connection for a forked child to send on: exec keeps pid, start time
 * and pidfd (SECURITY.md, "Attest the sender"). So:
 *
 * - the connector must still hold the connection: one that handed it away entirely is refused;
 * - its image (the executable's device and inode, and where its code, stack and arguments sit in
 *   memory, all new on every exec) must be the one it had when the daemon accepted the
 *   connection, and the one read during attestation; a changed image is refused. Before the
 *   comparison the daemon waits out an exec in progress: opening /proc/PID/environ takes the
 *   kernel's exec_update_lock, which execve holds from switching the executable until the old
 *   close-on-exec descriptors are closed;
 * - every other process holding the connection (a forked child, or one it was passed to) is
 *   looked for when a name would rest on exe, sha256 or cmdline selectors (src/agents): those
 *   count only if all holders run the same executable;
 * - a connection held inheritable (not close-on-exec) may have been opened by an earlier image, so
 *   those selectors do not count either. (Node marks inherited descriptors close-on-exec at start,
 *   which is why this is not the only check.)
 */
import { closeSync, constants, open, openSync, readdirSync, statSync } from 'node:fs';
import { AgentIdError } from '../errors.js';
import { type FileStat, linkAtOrNull, O_CLOEXEC } from '../native/libc.js';
import type { PeerCredentials } from '../peer/index.js';
import { fileIdentity, identityOf, statOrNull } from './file-identity.js';
import {
  type ProcDir,
  type ProcStat,
  parseLayout,
  parseStat,
  readProcRecord,
  readRecordIn,
  statIn,
} from './procfs.js';
import type { Attestation } from './types.js';

/** How the connector holds its connection; null when it holds it in no descriptor. */
export type ConnectionHold = 'close-on-exec' | 'inheritable' | null;

/**
 * Where and how the connector held its connection when a full look found it: remembered per
 * connection, so a later request of the same connection checks those descriptors first instead of
 * reading every descriptor the process has (the costliest read of a request, for a client with
 * many descriptors). Safe because:
 *
 * - "still holds it" stays a fresh fact: a remembered descriptor is read again at every request
 *   and must still name the socket, else the full look runs again;
 * - `hold` is what a look found at the connection's first request. A copy made inheritable
 *   afterwards changes nothing the answer claims: the program that sends could only differ from
 *   the connector's through an exec, which the image comparison refuses at every request, or
 *   through another process holding a copy, which is what `otherHolders` (run at every request
 *   when it matters) is for. A full look would not tell that case either: the connector can close
 *   its inheritable copy after handing it over. 'inheritable' once found stays for good.
 */
export interface HeldConnection {
  /** The descriptor numbers (as /proc/PID/fd names them) found on the socket. */
  fds: string[];
  hold: 'close-on-exec' | 'inheritable';
}

/**
 * What the sender check keeps per connection between requests:
 *
 * - `held`: where the connector holds the connection (HeldConnection);
 * - `settled`: a request of this connection passed the check after waiting out an exec in
 *   progress, so later requests skip the wait. The wait matters while the image the daemon
 *   compares against (read at accept) may itself have been read in an exec's window, after the
 *   executable switched but before the old close-on-exec descriptors closed; once a check after
 *   a wait has found that image still running and holding the connection, an exec that starts
 *   later shows as a new image (refused) from the moment it switches the executable, and before
 *   that switch no code of the new program has run. The exception, a re-exec of the same
 *   executable that keeps the image string (SECURITY.md, the residual of address randomisation
 *   turned off), is open with or without the wait: the connector's own code can make its
 *   descriptor inheritable so that it survives the exec. Only a failed check leaves it unset.
 */
export interface SenderMemo {
  held?: HeldConnection;
  settled?: boolean;
}

export interface SenderCheck {
  pid: number;
  uid: number;
  /** imageOf() the process, read before the rest of its attestation. */
  imageRead: string | null;
  /** Names the process in messages ("the peer process 42"). */
  who: string;
  /** Turns a failed /proc read into the caller's coded error. */
  failure: (err: unknown, what: string) => AgentIdError;
  /** Look for other holders of the connection (only when exe, sha256 or cmdline selectors are configured). */
  otherHolders: boolean;
  procRoot: string;
  /** What earlier requests of this connection found (SenderMemo); updated in place. */
  memo?: SenderMemo;
  /**
   * awaitExec(dir), when the caller started it before its own reads so the wait overlaps them; it
   * is awaited here, before the descriptors and the image are compared, as if started here. An
   * exec that began before the request was received has begun before the wait did, so it is
   * waited out either way. Not started when `memo.settled`.
   */
  execWait?: Promise<void>;
}

/**
 * The sender check, for one request on a connection, through the process's open /proc/PID
 * directory: waits out an exec in progress (until a request of the connection has passed:
 * SenderMemo), then requires the connection among the connector's
 * descriptors and its image unchanged since the daemon accepted the connection (`peer.image`)
 * and since `check.imageRead`. Throws ERR_ATTEST_SENDER otherwise. It must run on every request,
 * also where the rest of an attestation is reused: exec keeps the pid, the start time and the
 * pidfd, so nothing else notices a connector that became another program.
 */
export async function attestSender(
  dir: ProcDir,
  peer: PeerCredentials,
  check: SenderCheck,
): Promise<Pick<Attestation, 'connection' | 'sharedWith'>> {
  const { who, failure } = check;
  if (peer.socketInode === undefined) return { connection: null, sharedWith: null };
  if (!check.memo?.settled) {
    try {
      await (check.execWait ?? awaitExec(dir));
    } catch (err) {
      throw failure(err, 'environment');
    }
  }
  let hold: ConnectionHold | 'unknown' = 'unknown';
  try {
    if (peer.socketInode !== null) {
      const held = heldConnection(dir, peer.socketInode, check.memo?.held);
      if (check.memo && held) check.memo.held = held;
      hold = held?.hold ?? null;
    }
  } catch (err) {
    throw failure(err, 'descriptors');
  }
  if (hold === null) {
    throw new AgentIdError(
      'ERR_ATTEST_SENDER',
      `${who} connected but no longer holds the connection: another process is sending on it`,
    );
  }
  const { image } = readImage(dir);
  if (image === null || image !== check.imageRead || (peer.image !== undefined && peer.image !== image)) {
    throw new AgentIdError(
      'ERR_ATTEST_SENDER',
      `${who} runs another program than when it connected (it exec'd): the connection may have been opened, and the request written, by the one before`,
    );
  }
  if (check.memo) check.memo.settled = true;
  const sharedWith =
    check.otherHolders && peer.socketInode !== null
      ? otherHolders(check.procRoot, peer.socketInode, check.pid, check.uid)
      : null;
  return { connection: hold, sharedWith };
}

/**
 * Blocks (off the event loop) while the process is in an execve, until its old descriptors are
 * closed. Only the open can wait for the lock, so only the open goes through the threadpool; the
 * close of the fd it returns does not block. Never rejects unobserved: a caller that fails before
 * awaiting it must not crash the daemon with an unhandled rejection.
 */
export function awaitExec(dir: ProcDir): Promise<void> {
  const wait = new Promise<void>((resolve, reject) => {
    open(`${dir.path}/environ`, 'r', (err, fd) => {
      if (err) return reject(err);
      closeSync(fd);
      resolve();
    });
  });
  wait.catch(() => undefined);
  return wait;
}

/**
 * The program a process runs, as a comparable string (its executable and its memory layout), by
 * its /proc/PID path: as its connection is accepted, with no directory open.
 */
export function imageOf(procPath: string): string | null {
  return imageFrom(statOrNull(`${procPath}/exe`), () => readProcRecord(`${procPath}/stat`)).image;
}

/**
 * imageOf, through an open /proc/PID directory, with what it was read from (the process's stat,
 * and the executable's stat; null when unreadable), for a caller that needs those too.
 */
export function readImage(dir: ProcDir): {
  image: string | null;
  stat: ProcStat | null;
  exeStat: FileStat | null;
} {
  return imageFrom(statIn(dir, 'exe'), () => readRecordIn(dir, 'stat'));
}

function imageFrom(exeStat: FileStat | null, readStatRecord: () => string): ReturnType<typeof readImage> {
  const exeFile = exeStat && identityOf(exeStat);
  try {
    const text = readStatRecord();
    const stat = parseStat(text);
    return { image: exeFile === null ? null : `${exeFile}/${parseLayout(text)}`, stat, exeStat };
  } catch {
    return { image: null, stat: null, exeStat };
  }
}

/**
 * Every descriptor of the process on socket `inode`: close-on-exec only if all are (one
 * inheritable copy may have crossed an exec). With `known` (an earlier request's answer on this
 * connection), that answer stands while one of its descriptors still names the socket.
 */
function heldConnection(dir: ProcDir, inode: number, known?: HeldConnection): HeldConnection | null {
  const target = `socket:[${inode}]`;
  if (known?.fds.some((fd) => linkAtOrNull(dir.fd, `fd/${fd}`) === target)) return known;
  const fds = descriptorsOn(`${dir.path}/fd`, target);
  let hold: HeldConnection['hold'] = known?.hold ?? 'close-on-exec';
  for (const fd of fds) {
    const flags = /^flags:\s*([0-7]+)$/m.exec(readRecordIn(dir, `fdinfo/${fd}`))?.[1];
    if (flags === undefined || (Number.parseInt(flags, 8) & O_CLOEXEC) === 0) hold = 'inheritable';
  }
  return fds.length === 0 ? null : { fds, hold };
}

/**
 * The executables (`dev:ino`) of every other process of `uid` holding socket `inode`, found the
 * way `ss -p` does: through every /proc/PID/fd. Costly (all processes of the user), so only asked
 * for when a name would rest on what the connector runs.
 */
export function otherHolders(
  procRoot: string,
  inode: number,
  except: number,
  uid: number,
): (string | null)[] {
  const target = `socket:[${inode}]`;
  const found: (string | null)[] = [];
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name) || Number(name) === except) continue;
    const path = `${procRoot}/${name}`;
    try {
      if (statSync(path).uid !== uid) continue;
      if (descriptorsOn(`${path}/fd`, target).length > 0) found.push(fileIdentity(`${path}/exe`));
    } catch {
      // exited, or not ours to read
    }
  }
  return found;
}

/**
 * The descriptors listed in `fdDirPath` (a /proc/PID/fd) that are on `target`. The directory is
 * opened once and each link read by its name in it: a whole /proc/self/fd/N/fd/M path per
 * descriptor costs twice as much, and a process can hold hundreds. A descriptor closed since
 * the listing reads as no link.
 */
function descriptorsOn(fdDirPath: string, target: string): string[] {
  const fdDir = openSync(fdDirPath, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    return readdirSync(`/proc/self/fd/${fdDir}`).filter((fd) => linkAtOrNull(fdDir, fd) === target);
  } finally {
    closeSync(fdDir);
  }
}
