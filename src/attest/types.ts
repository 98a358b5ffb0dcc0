/**
 * What attestation establishes about a calling process. Shared by the attestor (which reads
 * /proc), agent matching (pure, over these fields), the daemon's routes and the audit row.
 */

export interface AncestorInfo {
  pid: number;
  /** /proc/PID/stat field 22: clock ticks after boot; with pid, names one process for good. */
  startTime: number;
  exe: string | null;
  cmdline: string[];
}

export interface Attestation {
  pid: number;
  ppid: number;
  uid: number;
  gid: number;
  user: string | null;
  group: string | null;
  /** readlink /proc/PID/exe: the running executable, not argv[0]. */
  exe: string;
  /** sha256 hex of the running inode (opened through /proc/PID/exe); null when not hashed. */
  sha256: string | null;
  /** Why sha256 is null (e.g. larger than the configured cap); null when hashed. */
  sha256Skipped: string | null;
  cmdline: string[];
  cwd: string | null;
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
