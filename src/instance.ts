/**
 * One daemon per user, and a clean socket for it. The lock is flock(2) on a file in the state
 * dir: the kernel drops it when its holder dies, even by SIGKILL, so a crashed daemon never
 * blocks the next one and no pid file has to be trusted. Whoever holds the lock owns the socket
 * path; a socket file found there by the holder is a crashed daemon's leftover. Shared by the
 * daemon (which holds the lock) and the CLI (which waits for it to go on `daemon stop`).
 */
import { closeSync, ftruncateSync, lstatSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { AgentIdError } from './errors.js';
import { flock, LOCK_EX, LOCK_NB, LOCK_UN } from './native/libc.js';

export interface DaemonLock {
  release(): void;
}

export function acquireDaemonLock(lockFile: string, pid: number): DaemonLock {
  const fd = openSync(lockFile, 'a+', 0o600);
  if (!flock(fd, LOCK_EX | LOCK_NB)) {
    closeSync(fd);
    const holder = readFileSync(lockFile, 'utf8').trim();
    throw new AgentIdError(
      'ERR_DAEMON_RUNNING',
      `another agentid daemon is already running${holder ? ` (pid ${holder})` : ''}; stop it with: agentid daemon stop`,
    );
  }
  ftruncateSync(fd, 0);
  writeSync(fd, `${pid}\n`);
  return { release: () => closeSync(fd) };
}

/** Removes a socket left behind by a crashed daemon. Call only while holding the lock. */
export function removeStaleSocket(socketPath: string): boolean {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(socketPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  if (!st.isSocket()) {
    throw new AgentIdError(
      'ERR_PATHS_UNSAFE_DIR',
      `${socketPath} exists and is not a socket; remove it and start the daemon again`,
    );
  }
  unlinkSync(socketPath);
  return true;
}

/** True while some daemon holds the lock, i.e. has not finished shutting down. */
export function daemonLockHeld(lockFile: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockFile, 'r');
  } catch {
    return false;
  }
  try {
    if (!flock(fd, LOCK_EX | LOCK_NB)) return true;
    flock(fd, LOCK_UN);
    return false;
  } finally {
    closeSync(fd);
  }
}
