/**
 * What attestation establishes about a calling process. Shared by the attestor (which reads
 * /proc), agent matching (pure, over these fields), the daemon's routes and the audit row.
 */

export interface AncestorInfo {
  pid: number;
  /** /proc/PID/stat field 22: clock ticks after boot; with pid, names one process for good. */
  startTime: number;
  exe: string | null;
  /** Device and inode of the executable as the daemon sees it (`dev:ino`); null when unreadable. */
  exeFile: string | null;
  cmdline: string[];
}

export interface Attestation {
  pid: number;
  ppid: number;
  uid: number;
  gid: number;
  user: string | null;
  group: string | null;
  /**
   * readlink /proc/PID/exe: the running executable, not argv[0]. The path is as the process's
   * own mount namespace names it: `exeFile` says which file it is.
   */
  exe: string;
  /** Device and inode (`dev:ino`) of the running executable as the daemon sees it. */
  exeFile: string | null;
  /** sha256 hex of the running inode (opened through /proc/PID/exe); null when not hashed. */
  sha256: string | null;
  /** Why sha256 is null (e.g. larger than the configured cap); null when hashed. */
  sha256Skipped: string | null;
  cmdline: string[];
  cwd: string | null;
  /**
   * The process's user namespace and its ancestors (`dev:ino`, innermost first), up to but not
   * including the daemon's own: [] for a process in the daemon's namespace.
   */
  userns: string[];
  /**
   * How the connecting process holds its connection to the daemon: 'close-on-exec' (the exe read
   * is the code that opened it), 'inheritable' (it may have been opened before an exec), 'unknown'
   * (the kernel did not name the client socket); null when no connection is involved (`attest`).
   */
  connection: 'close-on-exec' | 'inheritable' | 'unknown' | null;
  /**
   * The executables (`dev:ino`) of other processes that hold the same connection; null when not
   * looked for (only when agent definitions use exe, sha256 or cmdline selectors).
   */
  sharedWith: (string | null)[] | null;
  startTime: number;
  /** Parent first, up to and including pid 1 (or the first ancestor /proc will not show). */
  ancestors: AncestorInfo[];
  /** Git repository of the cwd, read from its files. */
  repo: { root: string; remote: string | null } | null;
  /** For interpreters (node, python, ...): the script from cmdline. Weak: argv can be rewritten. */
  script: { interpreter: string; path: string; weak: true } | null;
  /** How pid reuse was ruled out: the kernel's pidfd, or start time + uid compared around the reads. */
  pinnedBy: 'pidfd' | 'start-time';
}
