/**
 * Who is on the other end of a Unix socket connection, as the kernel saw it at connect() time.
 * This is the root of attestation: everything the daemon later learns about a caller (/proc,
 * ancestry, policy) hangs off this pid, so every failure here fails closed.
 */
import { closeSync } from 'node:fs';
import type { Socket } from 'node:net';
import { platform } from 'node:os';
import { AgentIdError } from '../errors.js';
import { bytesWaiting, POLLIN, poll } from '../native/libc.js';
import { readDarwinPeer, readDarwinPeerUid } from './darwin.js';
import { readLinuxPeer, readLinuxPeerUid } from './linux.js';
import type { PeerCredentials } from './types.js';

export { holdsSocket, loopbackClientOwner, socketHolders, type TcpSocketOwner } from './tcp.js';

export type { PeerCredentials } from './types.js';

/** The fd of a Unix socket connection (accepted, or connected by us). */
export function socketFd(socket: Socket): number {
  // Node has no public accessor; the libuv Pipe handle carries the fd, and is null once closed.
  const fd = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0) {
    throw new AgentIdError('ERR_PEER_CREDENTIALS', 'peer credentials: connection has no file descriptor');
  }
  return fd;
}

/**
 * Whether input the peer sent waits, unread, in the kernel: a request a busy daemon has not read
 * yet, as opposed to a client that sent nothing. False when it cannot be told.
 */
export function inputWaiting(socket: Socket): boolean {
  try {
    return bytesWaiting(socketFd(socket)) > 0;
  } catch {
    return false;
  }
}

export function readPeerCredentials(fd: number): PeerCredentials {
  return onPlatform({ linux: readLinuxPeer, darwin: readDarwinPeer })(fd);
}

/** The uid of the other end alone: what a client needs to know about the daemon it reached. */
export function readPeerUid(fd: number): number {
  return onPlatform({ linux: readLinuxPeerUid, darwin: readDarwinPeerUid })(fd);
}

function onPlatform<T>(impl: { linux: T; darwin: T }): T {
  const os = platform();
  if (os === 'linux' || os === 'darwin') return impl[os];
  throw new AgentIdError('ERR_PEER_UNSUPPORTED', `peer credentials are not supported on ${os}`);
}

/**
 * True while the process the pidfd names has not exited. A pidfd turns readable when its process
 * exits, so unlike a pid it cannot be fooled by pid reuse. Any event at all (also POLLNVAL for a
 * bad fd) counts as gone: callers deny on false.
 */
export function pidfdAlive(pidfd: number): boolean {
  return poll(pidfd, POLLIN, 0) === 0;
}

export function closePidfd(pidfd: number | null): void {
  if (pidfd !== null) closeSync(pidfd);
}
