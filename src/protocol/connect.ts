/**
 * How every client reaches the daemon: verified before a single byte is sent. Whoever else listens
 * at the socket path (another user who created /tmp/agentid-<uid> first, a directory left by
 * another uid) must get nothing from us: not the value of `secret set`, not base keys, not the
 * names `exec --env` asks for, and no chance to answer with values of its choosing.
 *
 * The socket's directory must be a directory (not a symlink) owned by us with no group or world
 * bits (ERR_PATHS_UNSAFE_DIR, exit 5, otherwise). Only our uid or root can create an entry in
 * such a directory, so the socket in it was bound by a process of ours. What keeps that true
 * between the check and connect():
 * - `proc-fd` (Linux): the directory is opened (O_PATH, O_NOFOLLOW) and checked through that fd,
 *   and we connect to /proc/self/fd/<fd>/<socket>: the kernel looks the socket up in exactly the
 *   directory we checked, whatever is renamed meanwhile. No FFI is needed, which matters because
 *   loading koffi costs a helper more than the rest of its work (figures in BENCH.md).
 * - `peer-credentials` (macOS, or no /proc): the directory is checked by path, and after
 *   connect() the kernel's credentials of the listening process (SO_PEERCRED / LOCAL_PEERCRED) must
 *   name our uid (ERR_DAEMON_IMPOSTOR, exit 5, otherwise) before anything is written.
 */
import type { Stats } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { platform } from 'node:os';
import { basename, dirname } from 'node:path';
import { AgentIdError } from '../errors.js';
import { privateDirProblem } from '../paths.js';

// node:fs without its ES facade, which loads node:stream: docs/architecture.md, start-up.
const { closeSync, constants, existsSync, fstatSync, lstatSync, openSync } =
  process.getBuiltinModule('node:fs');

const unavailableCodes = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

/** A failure to reach or talk to the daemon, as the code a caller acts on. */
export function transportError(err: NodeJS.ErrnoException, socketPath: string): AgentIdError {
  if (err instanceof AgentIdError) return err;
  if (err.code && unavailableCodes.has(err.code)) {
    return new AgentIdError(
      'ERR_DAEMON_UNAVAILABLE',
      `the agentid daemon is not running at ${socketPath} (${err.code}); start it with: agentid daemon start`,
    );
  }
  return new AgentIdError('ERR_DAEMON_PROTOCOL', `request to the daemon failed: ${err.message}`);
}

/** Where the daemon listens, and the uid it must run as: our own. */
export interface DaemonAddress {
  socket: string;
  uid: number;
}

export type Pinning = 'proc-fd' | 'peer-credentials';

/** Linux's O_PATH (asm-generic value, the one of every architecture Node runs on): no read permission needed. */
const O_PATH = 0o10000000;

export function defaultPinning(): Pinning {
  return platform() === 'linux' && existsSync('/proc/self/fd') ? 'proc-fd' : 'peer-credentials';
}

/** A connected socket to the verified daemon, or a coded error; nothing has been written to it. */
export async function connectToDaemon(
  daemon: DaemonAddress,
  timeoutMs: number,
  pinning: Pinning = defaultPinning(),
): Promise<Socket> {
  const dir = dirname(daemon.socket);
  if (pinning === 'proc-fd') {
    const fd = openDir(dir, daemon);
    try {
      refuseUnsafe(dir, fstatSync(fd), daemon.uid);
      return await openConnection(`/proc/self/fd/${fd}/${basename(daemon.socket)}`, daemon, timeoutMs);
    } finally {
      closeSync(fd);
    }
  }
  refuseUnsafe(dir, statDir(dir, daemon), daemon.uid);
  const socket = await openConnection(daemon.socket, daemon, timeoutMs);
  try {
    const { readPeerUid, socketFd } = await import('../peer/index.js');
    const uid = readPeerUid(socketFd(socket));
    if (uid !== daemon.uid) {
      throw new AgentIdError(
        'ERR_DAEMON_IMPOSTOR',
        `the process listening at ${daemon.socket} runs as uid ${uid}, not as you (uid ${daemon.uid}); ` +
          `nothing was sent to it. Find it with: ss -xlp | grep ${basename(daemon.socket)}`,
      );
    }
    return socket;
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

function refuseUnsafe(dir: string, st: Stats, uid: number): void {
  const problem = privateDirProblem(dir, st, uid);
  if (problem) {
    throw new AgentIdError(
      'ERR_PATHS_UNSAFE_DIR',
      `refusing to talk to the daemon, nothing was sent: ${problem}`,
    );
  }
}

function openDir(dir: string, daemon: DaemonAddress): number {
  try {
    return openSync(dir, O_PATH | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (err) {
    throw dirError(err as NodeJS.ErrnoException, dir, daemon);
  }
}

/** lstat: a symlink is not the directory it points to, and is refused like O_NOFOLLOW refuses it. */
function statDir(dir: string, daemon: DaemonAddress): Stats {
  let st: Stats;
  try {
    st = lstatSync(dir);
  } catch (err) {
    throw dirError(err as NodeJS.ErrnoException, dir, daemon);
  }
  if (st.isSymbolicLink())
    throw dirError(Object.assign(new Error('symlink'), { code: 'ELOOP' }), dir, daemon);
  return st;
}

function dirError(err: NodeJS.ErrnoException, dir: string, daemon: DaemonAddress): AgentIdError {
  // No directory yet: no daemon has ever run there (autostart creates it).
  if (err.code === 'ENOENT') return transportError(err, daemon.socket);
  if (err.code === 'ENOTDIR' || err.code === 'ELOOP') {
    return new AgentIdError(
      'ERR_PATHS_UNSAFE_DIR',
      `refusing to talk to the daemon, nothing was sent: ${dir} is a symbolic link or not a directory; remove it`,
    );
  }
  return new AgentIdError(
    'ERR_PATHS_UNSAFE_DIR',
    `refusing to talk to the daemon: ${dir} cannot be checked (${err.code ?? err.message}); ` +
      'set AGENTID_HOME to a private directory of yours',
  );
}

function openConnection(path: string, daemon: DaemonAddress, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const onError = (err: NodeJS.ErrnoException) => reject(transportError(err, daemon.socket));
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(
        new AgentIdError(
          'ERR_DAEMON_UNAVAILABLE',
          `the daemon did not accept a connection at ${daemon.socket} in time`,
        ),
      ),
    );
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.off('error', onError);
      resolve(socket);
    });
  });
}
