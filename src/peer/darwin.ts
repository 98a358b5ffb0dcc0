/**
 * macOS peer credentials: LOCAL_PEERCRED (struct xucred) and LOCAL_PEERPID. macOS has no pidfd,
 * so callers rely on the process start time to detect pid reuse.
 *
 * UNTESTED ON CI: CI runs Linux only. This code type-checks, and the constants and layout follow
 * <sys/un.h> and <sys/ucred.h>, but it has never run; test it on a Mac before relying on it.
 */
import koffi from 'koffi';
import { AgentIdError } from '../errors.js';
import { getsockopt } from '../native/libc.js';
import type { PeerCredentials } from './types.js';

const SOL_LOCAL = 0;
const LOCAL_PEERCRED = 0x001;
const LOCAL_PEERPID = 0x002;
const XUCRED_VERSION = 0;
const NGROUPS = 16;

const xucred = koffi.struct({
  cr_version: 'uint32',
  cr_uid: 'uint32',
  cr_ngroups: 'int16',
  cr_groups: koffi.array('uint32', NGROUPS, 'Array'),
});
const PID_SIZE = 4;

interface Xucred {
  cr_version: number;
  cr_uid: number;
  cr_ngroups: number;
  cr_groups: number[];
}

function fail(reason: string): never {
  throw new AgentIdError('ERR_PEER_CREDENTIALS', `peer credentials: ${reason}`);
}

export function readDarwinPeer(fd: number): PeerCredentials {
  const { uid, gid } = readXucred(fd);
  const res = getsockopt(fd, SOL_LOCAL, LOCAL_PEERPID, PID_SIZE);
  if (!res.ok) fail(`getsockopt(LOCAL_PEERPID) failed: ${res.errno}`);
  if (res.data.length !== PID_SIZE) fail(`LOCAL_PEERPID returned ${res.data.length} bytes`);
  const pid = koffi.decode(res.data, 'int32') as number;
  if (pid <= 0) fail(`LOCAL_PEERPID has no pid (${pid})`);
  return { pid, uid, gid, pidfd: null };
}

/** The uid of the peer; on a client socket, that of the process that called listen(). */
export function readDarwinPeerUid(fd: number): number {
  return readXucred(fd).uid;
}

function readXucred(fd: number): { uid: number; gid: number } {
  const cred = getsockopt(fd, SOL_LOCAL, LOCAL_PEERCRED, xucred.size);
  if (!cred.ok) fail(`getsockopt(LOCAL_PEERCRED) failed: ${cred.errno}`);
  if (cred.data.length !== xucred.size) fail(`LOCAL_PEERCRED returned ${cred.data.length} bytes`);
  const x = koffi.decode(cred.data, xucred) as Xucred;
  if (x.cr_version !== XUCRED_VERSION) fail(`unknown xucred version ${x.cr_version}`);
  // cr_groups[0] is the effective gid.
  const gid = x.cr_groups[0];
  if (x.cr_ngroups < 1 || gid === undefined) fail('xucred carries no group');
  return { uid: x.cr_uid, gid };
}
