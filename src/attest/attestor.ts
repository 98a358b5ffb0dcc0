/**
 * Attestation of the process behind a request, after SPIRE's unix workload attestor: what /proc
 * says about it (uid, exe and its sha256, argv, cwd, parents), plus the git repository of its cwd
 * and, for interpreters, the script. It fails closed: a process that left, or a pid that may now
 * name another process, is an error, never a best guess. Everything costly is cached, so a warm
 * attestation is a few dozen small /proc reads and stats.
 *
 * Pinning: every read of the process goes through one open /proc/PID directory, so all of them
 * describe a single process. That it is the connection's peer is then shown by the peer's pidfd
 * still being alive after the reads (a pid cannot be reused while its process exists); without a
 * pidfd, by start time and uid unchanged across the reads, which cannot rule out a pid reused
 * between connect() and the first read.
 *
 * The connector must still hold its connection, and run the program it ran when it connected
 * (`attestSender` in sender.ts, run on every request: a cache of attestations per connection must
 * still call it each time): a process that connected and handed the connection to another, or
 * exec'd since, is refused, and one that holds it inheritable (it may have exec'd
 * since it connected) is attested with `connection: 'inheritable'`, which agent matching reads as
 * "the exe, its hash and argv may not be the code that sends". The executable is also named by
 * device and inode as the daemon sees it, since a path can mean another file in another mount
 * namespace.
 */
import { AgentIdError, type ErrorCode } from '../errors.js';
import type { FileStat } from '../native/libc.js';
import { type PeerCredentials, pidfdAlive } from '../peer/index.js';
import { createAncestry } from './ancestry.js';
import { fileIdentity, identityOf } from './file-identity.js';
import { createRepoLocator } from './git-repo.js';
import { createHashCache, type Digest, type HashOutcome } from './hash-cache.js';
import { scriptOf } from './interpreter.js';
import {
  closeProcDir,
  errnoOf,
  hasExited,
  openProcDir,
  type ProcDir,
  type ProcStat,
  type ProcStatus,
  readCmdline,
  readLink,
  readStat,
  readStatus,
  statIn,
} from './procfs.js';
import { attestSender, awaitExec, imageOf, readImage, type SenderMemo } from './sender.js';
import type { Attestation } from './types.js';
import { usernsChain } from './userns.js';
import { createNameLookup } from './users.js';

export interface AttestorOptions {
  /** '/proc' in production; tests may point at a fake tree. */
  procRoot: string;
  /** Executables larger than this are not hashed (config [attest] max_hash_bytes). */
  maxHashBytes: number;
  /** For uid names; default /etc/passwd. */
  passwdFile?: string;
  /** For gid names; default /etc/group. */
  groupFile?: string;
  /** Our own seam: tests count digests through it. The daemon leaves it unset. */
  digest?: Digest;
  /**
   * Look for other processes holding a peer's connection (sender.ts): set when some agent
   * definition names processes by exe, sha256 or cmdline, the selectors that depend on it.
   */
  findOtherHolders?: boolean;
}

/**
 * What one connection's attestations keep between its requests: where the connector holds the
 * connection and whether its exec wait is behind it (sender.ts, SenderMemo), its user namespace
 * chain (userns.ts), and its /proc directory with the descriptors of the records every request
 * re-reads (procfs.ts, ProcDir). Nothing else is carried over: every request re-reads the rest of
 * the process, and runs the sender check. One per connection, never shared: it describes that
 * connection's peer. `Attestor.release` frees it when the connection closes.
 */
export interface ConnectionMemo extends SenderMemo {
  userns?: string[];
  proc?: KeptDir;
}

/**
 * The peer's /proc directory, opened at the connection's first request and pinned like every
 * request's reads (pin()): it names that process for good, and reads through it fail once the
 * process has exited. Closed only when no attestation is using it, so a descriptor number cannot
 * be reused under a read in flight.
 */
interface KeptDir {
  pid: number;
  dir: ProcDir;
  users: number;
  released: boolean;
}

export interface Attestor {
  /**
   * Attest the peer of a connection. Fails closed. With `memo` (one per connection, kept by the
   * caller), a later request of the same connection pays less (ConnectionMemo).
   */
  attest(peer: PeerCredentials, memo?: ConnectionMemo): Promise<Attestation>;
  /** Attest an arbitrary pid (for `agentid attest --pid N`): pinned by start time only. */
  attestPid(pid: number): Promise<Attestation>;
  /**
   * The program a process runs (executable and memory layout: sender.ts), read as its connection
   * is accepted and compared by attest(); null when unreadable.
   */
  imageOf(pid: number): string | null;
  /** The connection of `memo` has closed: what its attestations keep is freed. */
  release(memo: ConnectionMemo): void;
}

export function createAttestor(options: AttestorOptions): Attestor {
  const { procRoot } = options;
  const hashes = createHashCache(options.maxHashBytes, options.digest);
  const ancestorsOf = createAncestry(procRoot);
  const repoOf = createRepoLocator();
  const userName = createNameLookup(options.passwdFile ?? '/etc/passwd');
  const groupName = createNameLookup(options.groupFile ?? '/etc/group');
  const ownUserns = fileIdentity(`${procRoot}/self/ns/user`);

  /**
   * Everything but the digest and the checks of the sender, read synchronously through the open
   * /proc/PID directory; the executable is looked up (not yet hashed) inside that window too.
   */
  function observe(
    dir: ProcDir,
    pid: number,
    peer: PeerCredentials | null,
    memo: ConnectionMemo | undefined,
    /** Read just before, with the image (the same reads serve both); undefined: not read. */
    imageRead: { stat: ProcStat | null; exeStat: FileStat | null } | undefined,
    failure: (err: unknown, what: string) => AgentIdError,
  ): { facts: Observed; stat: ProcStat; status: ProcStatus; hashed: Promise<HashOutcome> } {
    const { gone, who } = naming(pid, peer);
    const read = <T>(what: string, fn: () => T): T => {
      try {
        return fn();
      } catch (err) {
        throw failure(err, what);
      }
    };
    // A link missing from a process that is still there means it has none (kernel threads have
    // no exe), which is not the same as the process having left.
    const link = (name: 'exe' | 'cwd'): string | null => {
      try {
        return readLink(dir, name);
      } catch (err) {
        const code = errnoOf(err);
        if (code !== 'ENOENT' && code !== 'ESRCH') throw failure(err, name);
        const now = read('stat', () => readStat(dir));
        if (hasExited(now)) throw new AgentIdError(gone, `${who} has exited`);
        return null;
      }
    };

    const stat = imageRead?.stat ?? read('stat', () => readStat(dir));
    if (hasExited(stat)) throw new AgentIdError(gone, `${who} has exited`);
    const status = read('status', () => readStatus(dir));
    if (status.tgid !== pid) throw new AgentIdError(gone, `${pid} is a thread of process ${status.tgid}`);
    if (peer && status.uid !== peer.uid) {
      throw new AgentIdError(
        'ERR_ATTEST_PEER_GONE',
        `pid ${pid} runs as uid ${status.uid} but the connection's peer was uid ${peer.uid}: ` +
          'the pid no longer names the peer',
      );
    }
    const exe = link('exe');
    if (exe === null) {
      throw new AgentIdError('ERR_ATTEST_UNREADABLE', `${who} has no executable (a kernel thread?)`);
    }
    const exeStat = imageRead ? imageRead.exeStat : statIn(dir, 'exe');
    const exeFile = exeStat && identityOf(exeStat);
    const cmdline = read('cmdline', () => readCmdline(dir));
    const cwd = link('cwd');
    const userns = read('user namespace', () => usernsChain(dir, ownUserns, memo?.userns));
    if (memo) memo.userns = userns;
    const ancestors = ancestorsOf(stat);
    const repo = cwd === null ? null : repoOf(cwd);
    // Looked up now, inside the pinned window, so the hash is of this process's inode: by the same
    // stat that gave exeFile.
    const hashed = hashes.hash(`${dir.path}/exe`, exeStat);
    const facts: Observed = {
      pid,
      ppid: stat.ppid,
      uid: status.uid,
      gid: status.gid,
      user: userName(status.uid),
      group: groupName(status.gid),
      exe,
      exeFile,
      cmdline,
      cwd,
      userns,
      startTime: stat.startTime,
      ancestors,
      repo: repo && { ...repo },
      script: scriptOf(exe, cmdline, cwd),
    };
    return { facts, stat, status, hashed };
  }

  async function attestProcess(
    pid: number,
    peer: PeerCredentials | null,
    memo?: ConnectionMemo,
  ): Promise<Attestation> {
    const { gone, who } = naming(pid, peer);
    const failure = (err: unknown, what: string): AgentIdError => {
      if (err instanceof AgentIdError) return err;
      const code = errnoOf(err) ?? 'error';
      if (code === 'ENOENT' || code === 'ESRCH') {
        return new AgentIdError(gone, `${who} does not exist or has exited (${what}: ${code})`);
      }
      const why =
        code === 'EACCES' || code === 'EPERM'
          ? ": another user's or a non-dumpable process, or /proc is mounted with hidepid"
          : '';
      return new AgentIdError('ERR_ATTEST_UNREADABLE', `cannot read the ${what} of ${who} (${code})${why}`);
    };
    if (!Number.isSafeInteger(pid) || pid <= 0) throw new AgentIdError(gone, `${pid} is not a process id`);
    let kept = memo?.proc;
    if (kept && (kept.released || kept.pid !== pid)) {
      letGo(kept, memo);
      kept = undefined;
    }
    if (!kept) {
      let dir: ProcDir;
      try {
        dir = openProcDir(procRoot, pid, memo !== undefined);
      } catch (err) {
        throw failure(err, '/proc entry');
      }
      kept = { pid, dir, users: 0, released: false };
      if (memo) memo.proc = kept;
    }
    const { dir } = kept;
    kept.users += 1;
    let execWait: Promise<void> | undefined;
    let attested = false;
    try {
      // Started first, so the threadpool's wait overlaps the reads below (SenderCheck.execWait).
      execWait = peer?.socketInode === undefined || memo?.settled ? undefined : awaitExec(dir);
      const first = peer ? readImage(dir) : null;
      const { facts, stat, status, hashed } = observe(dir, pid, peer, memo, first ?? undefined, failure);
      const sender = peer
        ? await attestSender(dir, peer, {
            pid,
            uid: facts.uid,
            imageRead: first?.image ?? null,
            who: naming(pid, peer).who,
            failure,
            otherHolders: options.findOtherHolders === true,
            procRoot,
            memo,
            execWait,
          }).catch((err: unknown) => {
            // A peer that is gone is reported as gone, not as one that let go of its connection.
            pin(dir, stat, status, peer, gone, who);
            throw err;
          })
        : null;
      const pinnedBy = pin(dir, stat, status, peer, gone, who);
      const { sha256, skipped } = await hashed;
      attested = true;
      // Completed in place, keeping its hidden class and key order (docs/architecture.md).
      return Object.assign(facts, {
        connection: sender?.connection ?? null,
        sharedWith: sender?.sharedWith ?? null,
        pinnedBy,
        sha256,
        sha256Skipped: skipped,
      });
    } finally {
      // The wait opens a path through the directory's fd: not closed while that open may be in
      // flight, or the fd number could meanwhile name another directory.
      if (execWait) await execWait.catch(() => undefined);
      kept.users -= 1;
      // Kept only for a connection, and not after a refused request: the next one starts afresh.
      if (memo === undefined || !attested || kept.released) letGo(kept, memo);
    }
  }

  /** No longer kept: closed now, or by the last attestation still reading through it. */
  function letGo(kept: KeptDir, memo: ConnectionMemo | undefined): void {
    kept.released = true;
    if (kept.users > 0) return;
    closeProcDir(kept.dir);
    if (memo?.proc === kept) memo.proc = undefined;
  }

  return {
    attest: (peer, memo) => attestProcess(peer.pid, peer, memo),
    attestPid: (pid) => attestProcess(pid, null),
    imageOf: (pid) => imageOf(`${procRoot}/${pid}`),
    release: (memo) => {
      if (memo.proc) letGo(memo.proc, memo);
    },
  };
}

type Observed = Omit<Attestation, 'sha256' | 'sha256Skipped' | 'pinnedBy' | 'connection' | 'sharedWith'>;

function naming(pid: number, peer: PeerCredentials | null): { gone: ErrorCode; who: string } {
  return peer
    ? { gone: 'ERR_ATTEST_PEER_GONE', who: `the peer process ${pid}` }
    : { gone: 'ERR_ATTEST_NO_SUCH_PROCESS', who: `process ${pid}` };
}

/** Proves the reads described the process asked about, or throws. */
function pin(
  dir: ProcDir,
  before: ProcStat,
  beforeStatus: ProcStatus,
  peer: PeerCredentials | null,
  gone: ErrorCode,
  who: string,
): Attestation['pinnedBy'] {
  if (peer && peer.pidfd !== null) {
    if (!pidfdAlive(peer.pidfd)) {
      throw new AgentIdError(
        gone,
        `${who} has exited (its pidfd says so); pid ${before.pid} may name another process`,
      );
    }
    return 'pidfd';
  }
  let after: ProcStat;
  let afterStatus: ProcStatus;
  try {
    after = readStat(dir);
    afterStatus = readStatus(dir);
  } catch {
    throw new AgentIdError(gone, `${who} exited during attestation`);
  }
  if (hasExited(after) || after.startTime !== before.startTime || afterStatus.uid !== beforeStatus.uid) {
    throw new AgentIdError(gone, `${who} exited or changed identity during attestation`);
  }
  return 'start-time';
}
