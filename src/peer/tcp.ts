/**
 * Which process is on the other end of a loopback TCP connection: the TCP twin of the Unix
 * socket's SO_PEERCRED (index.ts), as SPIRE keeps uds.go and tcp.go side by side. A TCP socket
 * has no peer credentials, so this is read from /proc the way `ss -p` does it: the kernel's socket
 * table (/proc/net/tcp, tcp6) gives the inode of the client's socket, found by its port pair, and
 * the process holding that inode is found by its fds. Linux only. Parsing is pure (table tests).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface TcpEntry {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  uid: number;
  inode: number;
}

/** 127.0.0.1 as the kernel prints it: the address in host (little-endian) byte order. */
const LOOPBACK_V4 = '0100007F';
/** ::ffff:127.0.0.1, for dual-stack sockets. */
const LOOPBACK_V4_MAPPED = '0000000000000000FFFF00000100007F';

/** Rows of /proc/net/tcp or tcp6: `sl local_address rem_address st ... uid timeout inode`. */
export function parseProcNetTcp(text: string): TcpEntry[] {
  const entries: TcpEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [local, remote, uid, inode] = [fields[1], fields[2], fields[7], fields[9]];
    if (!local || !remote || !uid || !inode) continue;
    const [la, lp] = local.split(':');
    const [ra, rp] = remote.split(':');
    if (!la || !lp || !ra || !rp) continue;
    entries.push({
      localAddress: la,
      localPort: Number.parseInt(lp, 16),
      remoteAddress: ra,
      remotePort: Number.parseInt(rp, 16),
      uid: Number(uid),
      inode: Number(inode),
    });
  }
  return entries;
}

/** The inode of the client side of a loopback connection from clientPort to serverPort; 0 when none. */
export function clientSocketInode(
  entries: readonly TcpEntry[],
  clientPort: number,
  serverPort: number,
): number {
  const loopback = (address: string) => address === LOOPBACK_V4 || address === LOOPBACK_V4_MAPPED;
  const entry = entries.find(
    (e) =>
      e.localPort === clientPort &&
      e.remotePort === serverPort &&
      loopback(e.localAddress) &&
      loopback(e.remoteAddress) &&
      e.inode !== 0,
  );
  return entry?.inode ?? 0;
}

export interface TcpOwner {
  inode: number;
  uid: number;
  /** Every process holding the socket (a fork shares it); empty when none could be seen. */
  pids: number[];
}

/** The processes behind the client end of a loopback connection; null when the socket is not found. */
export function findTcpOwner(procRoot: string, clientPort: number, serverPort: number): TcpOwner | null {
  const entries = ['tcp', 'tcp6'].flatMap((table) => {
    try {
      return parseProcNetTcp(readFileSync(`${procRoot}/net/${table}`, 'utf8'));
    } catch {
      return [];
    }
  });
  const inode = clientSocketInode(entries, clientPort, serverPort);
  if (inode === 0) return null;
  const uid = entries.find((e) => e.inode === inode)?.uid ?? -1;
  const pids = readdirSync(procRoot)
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => holdsSocket(procRoot, pid, inode));
  return { inode, uid, pids };
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
