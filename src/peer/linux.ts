/**
 * Linux peer credentials: SO_PEERCRED (struct ucred, captured at connect()) and SO_PEERPIDFD
 * (Linux 6.5+), a pidfd for that same process which stays tied to it even if its pid is reused.
 */
import koffi from 'koffi';
import { AgentIdError } from '../errors.js';
import { getsockopt } from '../native/libc.js';
import type { PeerCredentials } from './types.js';

const SOL_SOCKET = 1;
const SO_PEERCRED = 17;
const SO_PEERPIDFD = 77;

const ucred = koffi.struct({ pid: 'int32', uid: 'uint32', gid: 'uint32' });
const INT_SIZE = 4;

function fail(reason: string): never {
  throw new AgentIdError('ERR_PEER_CREDENTIALS', `peer credentials: ${reason}`);
}

export function readLinuxPeer(fd: number): PeerCredentials {
  const { pid, uid, gid } = readUcred(fd);
  // 0: the peer lives in a pid namespace we cannot see, or the socket was never connected.
  if (pid <= 0) fail(`SO_PEERCRED has no pid (${pid})`);
  return { pid, uid, gid, pidfd: readPidfd(fd) };
}

/** The uid of the peer; on a client socket, that of the process that called listen(). */
export function readLinuxPeerUid(fd: number): number {
  return readUcred(fd).uid;
}

function readUcred(fd: number): { pid: number; uid: number; gid: number } {
  const cred = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, ucred.size);
  if (!cred.ok) fail(`getsockopt(SO_PEERCRED) failed: ${cred.errno}`);
  if (cred.data.length !== ucred.size) fail(`SO_PEERCRED returned ${cred.data.length} bytes`);
  return koffi.decode(cred.data, ucred) as { pid: number; uid: number; gid: number };
}

function readPidfd(fd: number): number | null {
  const res = getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, INT_SIZE);
  if (!res.ok) {
    // Kernels before 6.5 do not know the option; attestation then has only the process start time.
    if (res.errno === 'ENOPROTOOPT' || res.errno === 'EINVAL') return null;
    fail(`getsockopt(SO_PEERPIDFD) failed: ${res.errno}`);
  }
  if (res.data.length !== INT_SIZE) fail(`SO_PEERPIDFD returned ${res.data.length} bytes`);
  return koffi.decode(res.data, 'int') as number;
}
