/**
 * Registering a session's sandbox: the exec wrapper (the session's root) names the sandbox's
 * first process, and the daemon checks it for itself before trusting anything about it. The
 * process must descend from the root, and run in a user namespace and a pid namespace of its own
 * (not the root's): then nothing inside can see, signal or ptrace processes outside, and the
 * namespace can mark its processes. The daemon then holds the namespace open (pin) so its inode
 * is not reused while the session lives.
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { parseStat } from '../attest/index.js';
import { AgentIdError } from '../errors.js';
import type { SandboxRecord } from '../protocol/index.js';

const MAX_HOPS = 8;

function refuse(message: string): never {
  throw new AgentIdError('ERR_SESSION_SANDBOX', message);
}

function statOf(procRoot: string, pid: number) {
  try {
    return parseStat(readFileSync(`${procRoot}/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

function nsOf(procRoot: string, pid: number, kind: 'user' | 'pid'): string | null {
  let fd: number;
  try {
    fd = openSync(`${procRoot}/${pid}/ns/${kind}`, 'r');
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    return `${st.dev}:${st.ino}`;
  } finally {
    closeSync(fd);
  }
}

/** Checks the sandbox process `pid` of the session rooted at (rootPid, rootStartTime). */
export function verifySandbox(
  procRoot: string,
  pid: number,
  root: { pid: number; startTime: number },
): SandboxRecord {
  if (!Number.isSafeInteger(pid) || pid <= 1) refuse(`${pid} is not a sandbox process id`);
  const stat = statOf(procRoot, pid);
  if (!stat) refuse(`process ${pid} does not exist`);
  let hop = stat;
  for (let i = 0; i < MAX_HOPS && !(hop.pid === root.pid && hop.startTime === root.startTime); i++) {
    const parent = statOf(procRoot, hop.ppid);
    if (!parent || parent.startTime > hop.startTime)
      refuse(`process ${pid} does not descend from the session's root`);
    hop = parent;
  }
  if (hop.pid !== root.pid) refuse(`process ${pid} does not descend from the session's root`);
  const userns = nsOf(procRoot, pid, 'user');
  const pidns = nsOf(procRoot, pid, 'pid');
  if (!userns || !pidns) refuse(`cannot read the namespaces of process ${pid}`);
  if (userns === nsOf(procRoot, root.pid, 'user') || pidns === nsOf(procRoot, root.pid, 'pid')) {
    refuse(`process ${pid} shares a user or pid namespace with the session's root: it is not sandboxed`);
  }
  return { pid, startTime: stat.startTime, userns };
}

/** Holds the sandbox's user namespace open; null when the process is gone or in another namespace. */
export function pinUserns(procRoot: string, sandbox: SandboxRecord): { close(): void } | null {
  let fd: number;
  try {
    fd = openSync(`${procRoot}/${sandbox.pid}/ns/user`, 'r');
  } catch {
    return null;
  }
  const st = fstatSync(fd, { bigint: true });
  // Checked after the open: the fd is of the namespace this very process ran in.
  const stat = statOf(procRoot, sandbox.pid);
  if (`${st.dev}:${st.ino}` !== sandbox.userns || stat?.startTime !== sandbox.startTime) {
    closeSync(fd);
    return null;
  }
  return { close: () => closeSync(fd) };
}
