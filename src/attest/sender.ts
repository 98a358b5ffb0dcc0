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
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { AgentIdError } from '../errors.js';
import { O_CLOEXEC } from '../native/libc.js';
import type { PeerCredentials } from '../peer/index.js';
import { fileIdentity } from './file-identity.js';
import { type ProcDir, parseStat, readProcText } from './procfs.js';
import type { Attestation } from './types.js';

/** How the connector holds its connection; null when it holds it in no descriptor. */
export type ConnectionHold = 'close-on-exec' | 'inheritable' | null;

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
}

/**
 * The sender check, for one request on a connection, through the process's open /proc/PID
 * directory: waits out an exec in progress, then requires the connection among the connector's
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
  try {
    await awaitExec(dir);
  } catch (err) {
    throw failure(err, 'environment');
  }
  let hold: ConnectionHold | 'unknown' = 'unknown';
  try {
    if (peer.socketInode !== null) hold = connectionHold(dir, peer.socketInode);
  } catch (err) {
    throw failure(err, 'descriptors');
  }
  if (hold === null) {
    throw new AgentIdError(
      'ERR_ATTEST_SENDER',
      `${who} connected but no longer holds the connection: another process is sending on it`,
    );
  }
  const image = imageOf(dir.path);
  if (image === null || image !== check.imageRead || (peer.image !== undefined && peer.image !== image)) {
    throw new AgentIdError(
      'ERR_ATTEST_SENDER',
      `${who} runs another program than when it connected (it exec'd): the connection may have been opened, and the request written, by the one before`,
    );
  }
  const sharedWith =
    check.otherHolders && peer.socketInode !== null
      ? otherHolders(check.procRoot, peer.socketInode, check.pid, check.uid)
      : null;
  return { connection: hold, sharedWith };
}

/** Blocks (off the event loop) while the process is in an execve, until its old descriptors are closed. */
export async function awaitExec(dir: ProcDir): Promise<void> {
  await (await open(`${dir.path}/environ`, 'r')).close();
}

/** The program a process runs, as a comparable string: its executable and its memory layout. */
export function imageOf(procPath: string): string | null {
  try {
    const exe = fileIdentity(`${procPath}/exe`);
    return exe === null ? null : `${exe}/${parseStat(readProcText(`${procPath}/stat`)).layout}`;
  } catch {
    return null;
  }
}

/**
 * Every descriptor of the process on socket `inode`: close-on-exec only if all are (one
 * inheritable copy may have crossed an exec).
 */
export function connectionHold(dir: ProcDir, inode: number): ConnectionHold {
  const target = `socket:[${inode}]`;
  let hold: ConnectionHold = null;
  for (const fd of readdirSync(`${dir.path}/fd`)) {
    let link: string;
    try {
      link = readlinkSync(`${dir.path}/fd/${fd}`);
    } catch {
      continue; // closed since readdir
    }
    if (link !== target) continue;
    const flags = /^flags:\s*([0-7]+)$/m.exec(readProcText(`${dir.path}/fdinfo/${fd}`))?.[1];
    if (flags === undefined || (Number.parseInt(flags, 8) & O_CLOEXEC) === 0) return 'inheritable';
    hold = 'close-on-exec';
  }
  return hold;
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
      const fds = readdirSync(`${path}/fd`);
      if (fds.some((fd) => readLinkOrNull(`${path}/fd/${fd}`) === target))
        found.push(fileIdentity(`${path}/exe`));
    } catch {
      // exited, or not ours to read
    }
  }
  return found;
}

function readLinkOrNull(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}
