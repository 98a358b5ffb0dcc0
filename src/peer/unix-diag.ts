/**
 * The client end of an accepted Unix socket connection, by inode, from the kernel's sock_diag
 * netlink interface (what `ss -x` shows as the peer). The daemon needs it to see which processes
 * hold the connection: the process that connected may have handed it on (fork, SCM_RIGHTS) or
 * exec'd something else since, and the inode is what /proc/PID/fd shows for it. Linux only.
 */
import { fstatSync } from 'node:fs';
import { netlinkRequest } from '../native/libc.js';

// linux/netlink.h, linux/sock_diag.h, linux/unix_diag.h
const NETLINK_SOCK_DIAG = 4;
const SOCK_DIAG_BY_FAMILY = 20;
const NLM_F_REQUEST = 1;
const NLMSG_ERROR = 2;
const AF_UNIX = 1;
const UDIAG_SHOW_PEER = 0x4;
const UNIX_DIAG_PEER = 2;
const NLMSG_HDRLEN = 16;
const UNIX_DIAG_REQ_LEN = 24;
const UNIX_DIAG_MSG_LEN = 16;

/** The request for one socket by inode, asking for its peer's inode (netlinkRequest numbers it). Pure. */
export function unixDiagRequest(inode: number): Buffer {
  const buf = Buffer.alloc(NLMSG_HDRLEN + UNIX_DIAG_REQ_LEN);
  buf.writeUInt32LE(buf.length, 0);
  buf.writeUInt16LE(SOCK_DIAG_BY_FAMILY, 4);
  buf.writeUInt16LE(NLM_F_REQUEST, 6);
  // struct unix_diag_req: family, protocol, pad, states, ino, show, cookie[2]
  let at = NLMSG_HDRLEN;
  buf.writeUInt8(AF_UNIX, at);
  buf.writeUInt32LE(0xffffffff, at + 4);
  buf.writeUInt32LE(inode, at + 8);
  buf.writeUInt32LE(UDIAG_SHOW_PEER, at + 12);
  // No cookie: INET_DIAG_NOCOOKIE is all ones.
  at += 16;
  buf.writeUInt32LE(0xffffffff, at);
  buf.writeUInt32LE(0xffffffff, at + 4);
  return buf;
}

/** The peer inode in the kernel's answer for `inode`; null when it names none. Pure. */
export function parseUnixDiagAnswer(answer: Buffer, inode: number): number | null {
  if (answer.length < NLMSG_HDRLEN) return null;
  const length = Math.min(answer.readUInt32LE(0), answer.length);
  if (answer.readUInt16LE(4) === NLMSG_ERROR) return null;
  const msg = NLMSG_HDRLEN;
  if (length < msg + UNIX_DIAG_MSG_LEN || answer.readUInt32LE(msg + 4) !== inode) return null;
  // rtattrs follow: {len u16, type u16, data}, each padded to 4 bytes.
  let at = msg + UNIX_DIAG_MSG_LEN;
  while (at + 4 <= length) {
    const attrLength = answer.readUInt16LE(at);
    if (attrLength < 4) return null;
    if (answer.readUInt16LE(at + 2) === UNIX_DIAG_PEER && attrLength >= 8) return answer.readUInt32LE(at + 4);
    at += (attrLength + 3) & ~3;
  }
  return null;
}

/** The inode of the socket at the other end of the connection on `fd`; null when unknown. */
export function peerSocketInode(fd: number): number | null {
  try {
    const inode = Number(fstatSync(fd).ino);
    return parseUnixDiagAnswer(netlinkRequest(NETLINK_SOCK_DIAG, unixDiagRequest(inode), 8192), inode);
  } catch {
    return null;
  }
}
