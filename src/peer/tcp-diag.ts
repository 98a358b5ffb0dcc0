/**
 * The uid and socket inode behind the client end of a loopback TCP connection, asked of the
 * kernel for that one 4-tuple (sock_diag, the interface `ss` uses) rather than read from the whole
 * /proc/net/tcp table. The table grows with every connection a flood leaves behind (TIME_WAIT
 * rows stay a minute), so reading it on each accept would make a flood cost more per connection
 * the longer it runs; the exact lookup costs four syscalls however many there are. Linux only.
 * Encoding and decoding are pure (table tests); the exchange is in src/native/libc.ts.
 */
import { netlinkRequest } from '../native/libc.js';

export interface TcpSocketOwner {
  uid: number;
  /** Inode of the client's socket: what its process holds as fd `socket:[inode]`. */
  inode: number;
}

const NETLINK_SOCK_DIAG = 4;
const SOCK_DIAG_BY_FAMILY = 20;
const NLMSG_ERROR = 2;
const NLM_F_REQUEST = 1;
const AF_INET = 2;
const IPPROTO_TCP = 6;
const NLMSG_HEADER = 16;
/** inet_diag_req_v2: family, protocol, ext, pad, states, then the 48-byte inet_diag_sockid. */
const REQUEST_SIZE = NLMSG_HEADER + 56;
/** inet_diag_msg: 4 bytes, the sockid, then expires, rqueue, wqueue, uid, inode (u32 each). */
const UID_OFFSET = NLMSG_HEADER + 4 + 48 + 12;
const REPLY_SIZE = 1024;
const LOOPBACK = [127, 0, 0, 1];

/**
 * The request for the socket whose local end is 127.0.0.1:clientPort and remote end
 * 127.0.0.1:serverPort. An IPv4 lookup also finds a dual-stack socket connected to ::ffff:127.0.0.1.
 */
export function encodeDiagRequest(clientPort: number, serverPort: number): Buffer {
  const req = Buffer.alloc(REQUEST_SIZE);
  req.writeUInt32LE(REQUEST_SIZE, 0);
  req.writeUInt16LE(SOCK_DIAG_BY_FAMILY, 4);
  // No NLM_F_DUMP: an exact lookup of one socket.
  req.writeUInt16LE(NLM_F_REQUEST, 6);
  const body = NLMSG_HEADER;
  req.writeUInt8(AF_INET, body);
  req.writeUInt8(IPPROTO_TCP, body + 1);
  req.writeUInt32LE(0xffff_ffff, body + 4);
  const id = body + 8;
  req.writeUInt16BE(clientPort, id);
  req.writeUInt16BE(serverPort, id + 2);
  Buffer.from(LOOPBACK).copy(req, id + 4);
  Buffer.from(LOOPBACK).copy(req, id + 20);
  // INET_DIAG_NOCOOKIE: match on the addresses alone.
  req.writeUInt32LE(0xffff_ffff, id + 40);
  req.writeUInt32LE(0xffff_ffff, id + 44);
  return req;
}

/**
 * The owner from a reply; null when the kernel knows no such socket (the client already left) or
 * only its TIME_WAIT remains (inode 0: nobody holds it any more).
 */
export function decodeDiagReply(reply: Buffer): TcpSocketOwner | null {
  if (reply.length < NLMSG_HEADER) return null;
  const type = reply.readUInt16LE(4);
  if (type === NLMSG_ERROR || type !== SOCK_DIAG_BY_FAMILY || reply.length < UID_OFFSET + 8) return null;
  const inode = reply.readUInt32LE(UID_OFFSET + 4);
  return inode === 0 ? null : { uid: reply.readUInt32LE(UID_OFFSET), inode };
}

/** Who holds the client end of a loopback connection from clientPort to serverPort; null when none does. */
export function loopbackClientOwner(clientPort: number, serverPort: number): TcpSocketOwner | null {
  return decodeDiagReply(
    netlinkRequest(NETLINK_SOCK_DIAG, encodeDiagRequest(clientPort, serverPort), REPLY_SIZE),
  );
}
