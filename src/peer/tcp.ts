/**
 * Which process is on the other end of a loopback TCP connection: the TCP twin of the Unix
 * socket's SO_PEERCRED (index.ts), as SPIRE keeps uds.go and tcp.go side by side. A TCP socket
 * has no peer credentials: the kernel names the uid and the socket inode of the client end by its
 * 4-tuple (tcp-diag.ts), and the processes holding that inode are found by their fds, as `ss -p`
 * does. Reading every fd of every process is the costly part (about 100 ms with a few hundred
 * processes on a busy machine), so callers look among the processes they expect first (a
 * session's tree, src/attest/tree.ts) and widen the search only when they must. Linux only.
 */
import { readdirSync, readlinkSync } from 'node:fs';

export { loopbackClientOwner, type TcpSocketOwner } from './tcp-diag.js';

/** The pids among `pids` holding socket `inode` (a fork shares it), in the order given. */
export function socketHolders(procRoot: string, inode: number, pids: readonly number[]): number[] {
  return pids.filter((pid) => holdsSocket(procRoot, pid, inode));
}

/** Whether pid has an fd on socket `inode`. Processes we may not look into do not. */
export function holdsSocket(procRoot: string, pid: number, inode: number): boolean {
  const target = `socket:[${inode}]`;
  let fds: string[];
  try {
    fds = readdirSync(`${procRoot}/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      if (readlinkSync(`${procRoot}/${pid}/fd/${fd}`) === target) return true;
    } catch {
      // Closed between readdir and readlink.
    }
  }
  return false;
}
