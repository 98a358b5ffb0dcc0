/**
 * The few libc calls Node does not expose: getsockopt (kernel-attested peer credentials of a Unix
 * socket), poll (has the process behind a pidfd exited?), flock (the daemon's single-instance
 * lock), on Linux prctl (non-dumpable daemon, subreaper exec wrapper), ioctl (NS_GET_PARENT: the
 * parent of a user namespace; FIONREAD: has a connection's input arrived, unread? and for audit
 * shipping SIOCOUTQ: how much of what a TCP socket sent the peer has not acknowledged), a netlink
 * request/reply (sock_diag: the peer of a Unix socket, the owner of a loopback TCP connection,
 * Linux only) and Unix datagram sockets (syslog's /dev/log; node:dgram speaks only UDP). Bound
 * through koffi, which needs no compiler. libc is opened on first use, so importing this module
 * costs no dlopen for code paths that never call it.
 */
import { closeSync } from 'node:fs';
import { constants, platform } from 'node:os';
import { getSystemErrorName } from 'node:util';
import koffi from 'koffi';
import { AgentIdError } from '../errors.js';

// Same values on Linux and macOS (sys/file.h, poll.h).
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;
export const POLLIN = 0x1;

/** getsockopt outcome; an errno is data here because some are expected (e.g. an option the kernel lacks). */
export type SockoptResult = { ok: true; data: Buffer } | { ok: false; errno: string };

interface Libc {
  getsockopt: (fd: number, level: number, optname: number, optval: Buffer, optlen: [number]) => number;
  poll: (fds: { fd: number; events: number; revents: number }, nfds: number, timeoutMs: number) => number;
  flock: (fd: number, operation: number) => number;
  socket: (domain: number, type: number, protocol: number) => number;
  connect: (fd: number, address: Buffer, length: number) => number;
  send: (fd: number, data: Buffer, length: number, flags: number) => number;
  recv: (fd: number, buf: Buffer, len: number, flags: number) => number;
  /** Variadic: (fd, request) alone, or with one (type, argument) pair. */
  ioctl: (fd: number, request: number, ...typeAndArg: [] | [string, Buffer]) => number;
}

/** Calls that exist only in Linux's libc: bound apart, so macOS never looks them up. */
interface LinuxLibc {
  prctl: (option: number, arg2: number, arg3: number, arg4: number, arg5: number) => number;
  /** glibc only (musl has none): null where the symbol is missing. */
  mallocTrim: ((pad: number) => number) | null;
  readlinkat: (dirFd: number, path: string, buf: Buffer, size: number) => number;
  openat: (dirFd: number, path: string, flags: number) => number;
  statx: (dirFd: number, path: string, flags: number, mask: number, buf: Buffer) => number;
}

// nfds_t is unsigned long in glibc and unsigned int on macOS. libSystem lives in the dyld shared
// cache rather than on disk, yet dlopen resolves its path. FIONREAD differs too.
const targets: Partial<Record<NodeJS.Platform, { path: string; nfds: string; fionread: number }>> = {
  linux: { path: 'libc.so.6', nfds: 'unsigned long', fionread: 0x541b },
  darwin: { path: '/usr/lib/libSystem.B.dylib', nfds: 'unsigned int', fionread: 0x4004667f },
};

let libc: Libc | undefined;
let linuxLibc: LinuxLibc | undefined;

function load(): Libc {
  if (libc) return libc;
  const target = targets[platform()];
  if (!target) throw new AgentIdError('ERR_INTERNAL', `no libc binding for platform ${platform()}`);
  const lib = koffi.load(target.path);
  const pollfd = koffi.struct({ fd: 'int', events: 'short', revents: 'short' });
  libc = {
    getsockopt: lib.func(
      'int getsockopt(int fd, int level, int optname, _Out_ void *optval, _Inout_ uint32_t *optlen)',
    ),
    poll: lib.func('poll', 'int', [koffi.inout(koffi.pointer(pollfd)), target.nfds, 'int']),
    flock: lib.func('int flock(int fd, int operation)'),
    socket: lib.func('int socket(int domain, int type, int protocol)'),
    connect: lib.func('int connect(int fd, const void *address, uint32_t length)'),
    // ssize_t and size_t are long-sized on every platform we load.
    send: lib.func('long send(int fd, const void *data, size_t length, int flags)'),
    recv: lib.func('long recv(int fd, _Out_ void *buf, unsigned long len, int flags)'),
    // Variadic: koffi passes the extra argument as the platform's convention wants (arm64 macOS too).
    ioctl: lib.func('int ioctl(int fd, unsigned long request, ...)'),
  };
  return libc;
}

function loadLinux(): LinuxLibc {
  if (linuxLibc) return linuxLibc;
  if (platform() !== 'linux') throw new AgentIdError('ERR_INTERNAL', `not available on ${platform()}`);
  const lib = koffi.load('libc.so.6');
  linuxLibc = {
    prctl: lib.func(
      'int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)',
    ),
    mallocTrim: optionalFunc(() => lib.func('int malloc_trim(size_t pad)')),
    readlinkat: lib.func('long readlinkat(int dirfd, const char *path, _Out_ void *buf, size_t size)'),
    // Declared without its variadic mode argument, which only O_CREAT and O_TMPFILE read.
    openat: lib.func('int openat(int dirfd, const char *path, int flags)'),
    statx: lib.func('int statx(int dirfd, const char *path, int flags, unsigned int mask, _Out_ void *buf)'),
  };
  return linuxLibc;
}

function optionalFunc<F>(bind: () => F): F | null {
  try {
    return bind();
  } catch {
    return null;
  }
}

// Callers pass koffi.errno() read right after their call, before other native work can replace it.
function errnoName(errno: number): string {
  return getSystemErrorName(-errno);
}

// PATH_MAX: no link target the kernel hands out is longer.
const linkBuffer = Buffer.alloc(4096);

/**
 * readlinkat(2) (Linux): the target of `name` in the directory open at `dirFd`. Relative to a
 * directory already open (a /proc/PID, its fd/), the kernel resolves one name instead of walking a
 * whole /proc/self/fd/N/... path, which costs about as much again. Throws as node:fs does: an
 * Error whose `code` is the errno name.
 */
export function readLinkAt(dirFd: number, name: string): string {
  const size = loadLinux().readlinkat(dirFd, name, linkBuffer, linkBuffer.length);
  if (size < 0) throw errnoError(koffi.errno(), 'readlinkat', name);
  if (size >= linkBuffer.length) throw errnoError(constants.errno.ENAMETOOLONG, 'readlinkat', name);
  return linkBuffer.toString('utf8', 0, size);
}

/** readLinkAt, or null when there is no such link (closed since a listing, or not a link). */
export function linkAtOrNull(dirFd: number, name: string): string | null {
  try {
    return readLinkAt(dirFd, name);
  } catch {
    return null;
  }
}

/**
 * openat(2) (Linux), read-only and close-on-exec: `name` in the directory open at `dirFd`, for the
 * same reason as readLinkAt. The fd is an ordinary one (node:fs reads and closes it). Throws as
 * readLinkAt does.
 */
export function openAt(dirFd: number, name: string): number {
  const fd = loadLinux().openat(dirFd, name, O_CLOEXEC);
  if (fd < 0) throw errnoError(koffi.errno(), 'openat', name);
  return fd;
}

/** What statAt reports: the fields a file's identity and change stamps are made of, as node:fs's BigIntStats gives them. */
export interface FileStat {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

// linux/stat.h. struct statx has stx_ino at byte 32, stx_size at 40, stx_ctime at 96 and
// stx_mtime at 112 (each a 64-bit tv_sec, then a 32-bit tv_nsec), stx_dev_major at 136 and
// stx_dev_minor at 140.
const STATX_BASIC_STATS = 0x7ff;
const statxBuffer = Buffer.alloc(256);
const NS_PER_S = 1_000_000_000n;

/** A device number from its major and minor, as glibc's makedev composes it (and node:fs reports it). */
export function deviceNumber(major: number, minor: number): bigint {
  const [high, low] = [BigInt(major), BigInt(minor)];
  return ((high & 0xfffn) << 8n) | ((high & ~0xfffn) << 32n) | (low & 0xffn) | ((low & ~0xffn) << 12n);
}

/**
 * statx(2) (Linux) of `name` in the directory open at `dirFd`, following links, for the same reason
 * as readLinkAt; null when it cannot be stat'ed. The fields are those of a statSync of the same
 * file (BigIntStats), so identities and stamps from either compare equal.
 */
export function statAt(dirFd: number, name: string): FileStat | null {
  const b = statxBuffer;
  if (loadLinux().statx(dirFd, name, 0, STATX_BASIC_STATS, b) !== 0) return null;
  const nanoseconds = (at: number): bigint =>
    b.readBigInt64LE(at) * NS_PER_S + BigInt(b.readUInt32LE(at + 8));
  return {
    dev: deviceNumber(b.readUInt32LE(136), b.readUInt32LE(140)),
    ino: b.readBigUInt64LE(32),
    size: b.readBigUInt64LE(40),
    mtimeNs: nanoseconds(112),
    ctimeNs: nanoseconds(96),
  };
}

function errnoError(errno: number, call: string, name: string): NodeJS.ErrnoException {
  const code = errnoName(errno);
  return Object.assign(new Error(`${code}: ${call} '${name}'`), { code, errno: -errno, syscall: call });
}

/** Reads a socket option of at most `size` bytes; `data` is cut to the length the kernel wrote. */
export function getsockopt(fd: number, level: number, optname: number, size: number): SockoptResult {
  const { getsockopt } = load();
  const optval = Buffer.alloc(size);
  const optlen: [number] = [size];
  if (getsockopt(fd, level, optname, optval, optlen) !== 0) {
    return { ok: false, errno: errnoName(koffi.errno()) };
  }
  return { ok: true, data: optval.subarray(0, optlen[0]) };
}

/** poll(2) on one fd; returns revents (0 when nothing happened within the timeout). */
export function poll(fd: number, events: number, timeoutMs: number): number {
  const { poll } = load();
  const pfd = { fd, events, revents: 0 };
  for (;;) {
    if (poll(pfd, 1, timeoutMs) >= 0) return pfd.revents;
    const errno = koffi.errno();
    if (errno !== constants.errno.EINTR) throw new AgentIdError('ERR_INTERNAL', `poll: ${errnoName(errno)}`);
  }
}

/**
 * flock(2). With LOCK_NB, false means another open file description holds the lock. Locks belong
 * to the open file description, so a second open in the same process is refused too, and the lock
 * goes away when its holder dies.
 */
export function flock(fd: number, operation: number): boolean {
  const { flock } = load();
  for (;;) {
    if (flock(fd, operation) === 0) return true;
    const errno = koffi.errno();
    if (errno === constants.errno.EWOULDBLOCK) return false;
    if (errno !== constants.errno.EINTR) throw new AgentIdError('ERR_INTERNAL', `flock: ${errnoName(errno)}`);
  }
}

/** O_CLOEXEC's value on every Linux architecture Node runs on (asm-generic/fcntl.h). */
export const O_CLOEXEC = 0o2000000;

// linux/prctl.h
export const PR_GET_DUMPABLE = 3;
export const PR_SET_DUMPABLE = 4;
export const PR_SET_CHILD_SUBREAPER = 36;
export const PR_GET_CHILD_SUBREAPER = 37;

/** prctl(2) with integer arguments (Linux); returns its result or throws with the errno. */
export function prctl(option: number, arg2 = 0): number {
  const result = loadLinux().prctl(option, arg2, 0, 0, 0);
  if (result < 0) throw new AgentIdError('ERR_INTERNAL', `prctl(${option}): ${errnoName(koffi.errno())}`);
  return result;
}

/**
 * Gives the memory malloc holds free back to the kernel (glibc's malloc_trim(0), which trims
 * every thread's arena). V8 compiles WebAssembly (Cedar) on its worker threads, whose arenas keep
 * tens of MiB of freed compiler memory otherwise. A no-op where there is no such call (macOS, musl).
 */
export function releaseFreeMemory(): void {
  if (platform() !== 'linux') return;
  loadLinux().mallocTrim?.(0);
}

/**
 * ioctl(2) for requests that take no argument and answer with a new fd or a number (Linux), e.g.
 * NS_GET_PARENT. Returns the errno name instead of throwing: some errnos are answers (EPERM: the
 * parent is outside our view).
 */
export function ioctlNoArg(
  fd: number,
  request: number,
): { ok: true; value: number } | { ok: false; errno: string } {
  const result = load().ioctl(fd, request);
  return result < 0 ? { ok: false, errno: errnoName(koffi.errno()) } : { ok: true, value: result };
}

/** ioctl with an int out-parameter: its value, or null when the call fails (errno in koffi.errno()). */
function ioctlInt(fd: number, request: number): number | null {
  const value = Buffer.alloc(4);
  return load().ioctl(fd, request, 'void *', value) === 0 ? value.readInt32LE(0) : null;
}

/**
 * Bytes that arrived on a socket and wait, unread, in the kernel: how a busy daemon tells a
 * client whose request is there from one that sent nothing. 0 when the call fails.
 */
export function bytesWaiting(fd: number): number {
  return ioctlInt(fd, targets[platform()]?.fionread ?? 0) ?? 0;
}

/** Linux: SIOCOUTQ (= TIOCOUTQ), and the socket constants of the netlink and Unix datagram calls below. */
const SIOCOUTQ = 0x5411;
const AF_UNIX = 1;
const AF_NETLINK = 16;
const SOCK_CLOEXEC = O_CLOEXEC;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
/** struct nlmsghdr: length (u32), type (u16), flags (u16), then seq (u32). */
const NLMSG_SEQ_OFFSET = 8;
/** sizeof(struct sockaddr_un): a 2-byte family and 108 bytes of path. */
const SUN_PATH_BYTES = 108;

/**
 * One netlink socket per protocol, kept open: a request then costs no socket() and close(). What
 * it receives comes from the kernel: no other process can send to it, since the kernel lets one
 * user socket of these protocols (sock_diag) send to another only with CAP_NET_ADMIN.
 */
const netlinkSockets = new Map<number, number>();
let netlinkSeq = 0;

/**
 * One netlink request and its reply datagram (Linux). The kernel answers a non-dump request while
 * send() runs, so the reply is read without waiting; none at all is an error, never a hang.
 * The request is numbered here (nlmsg_seq): on the kept socket, a datagram with another number
 * (a reply once left unread) is skipped, never taken for this request's answer.
 */
export function netlinkRequest(protocol: number, request: Buffer, replySize: number): Buffer {
  const lib = load();
  const fd = netlinkSockets.get(protocol) ?? lib.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, protocol);
  if (fd < 0) throw new AgentIdError('ERR_INTERNAL', `netlink socket: ${errnoName(koffi.errno())}`);
  netlinkSockets.set(protocol, fd);
  netlinkSeq = (netlinkSeq + 1) >>> 0;
  request.writeUInt32LE(netlinkSeq, NLMSG_SEQ_OFFSET);
  try {
    if (lib.send(fd, request, request.length, 0) !== request.length) {
      throw new AgentIdError('ERR_INTERNAL', `netlink send: ${errnoName(koffi.errno())}`);
    }
    const reply = Buffer.alloc(replySize);
    for (;;) {
      const size = lib.recv(fd, reply, replySize, MSG_DONTWAIT);
      if (size < 0) throw new AgentIdError('ERR_INTERNAL', `netlink recv: ${errnoName(koffi.errno())}`);
      if (size >= NLMSG_SEQ_OFFSET + 4 && reply.readUInt32LE(NLMSG_SEQ_OFFSET) === netlinkSeq) {
        return reply.subarray(0, size);
      }
    }
  } catch (err) {
    // Whatever state the socket was left in goes with it; the next request opens a new one.
    netlinkSockets.delete(protocol);
    closeSync(fd);
    throw err;
  }
}

/**
 * Bytes a connected TCP socket has sent (or queued) that the peer has not yet acknowledged; null
 * where the kernel cannot say (not Linux). What the peer acknowledged reached its kernel.
 */
export function unacknowledgedBytes(fd: number): number | null {
  if (platform() !== 'linux') return null;
  const value = ioctlInt(fd, SIOCOUTQ);
  if (value === null) throw new AgentIdError('ERR_INTERNAL', `ioctl(SIOCOUTQ): ${errnoName(koffi.errno())}`);
  return value;
}

/**
 * A non-blocking Unix datagram socket connected to `path` (Linux). Returns the fd, or the errno
 * name when the socket cannot be reached (ENOENT: nothing there; ECONNREFUSED: nobody reads it).
 */
export function connectUnixDatagram(path: string): { fd: number } | { errno: string } {
  const { socket, connect } = load();
  if (platform() !== 'linux') return { errno: 'EAFNOSUPPORT' };
  const name = Buffer.from(path, 'utf8');
  if (name.length >= SUN_PATH_BYTES) return { errno: 'ENAMETOOLONG' };
  const fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return { errno: errnoName(koffi.errno()) };
  const address = Buffer.alloc(2 + SUN_PATH_BYTES);
  address.writeUInt16LE(AF_UNIX, 0);
  name.copy(address, 2);
  if (connect(fd, address, 2 + name.length + 1) !== 0) {
    const errno = errnoName(koffi.errno());
    closeSync(fd);
    return { errno };
  }
  return { fd };
}

/**
 * Sends one datagram without blocking: 'sent', 'full' (the reader's queue is full: try again
 * later), or the errno name of a failure.
 */
export function sendDatagram(fd: number, data: Buffer): 'sent' | 'full' | string {
  const { send } = load();
  for (;;) {
    if (send(fd, data, data.length, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) return 'sent';
    const errno = koffi.errno();
    if (errno === constants.errno.EINTR) continue;
    if (errno === constants.errno.EAGAIN || errno === constants.errno.EWOULDBLOCK) return 'full';
    return errnoName(errno);
  }
}
