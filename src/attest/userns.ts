/**
 * The user namespace a process runs in, and that namespace's ancestors, as `dev:ino` of the
 * namespace files: the one fact about a process that it cannot shed. A process can enter a new
 * child namespace (unshare), never a parent or a sibling, so a sandbox's namespace stays in the
 * chain of everything started inside it. Walked with ioctl(NS_GET_PARENT) from an fd opened
 * through the pinned /proc directory, up to (not including) the daemon's own namespace.
 */
import { closeSync, fstatSync, openSync, readdirSync } from 'node:fs';
import { ioctlNoArg } from '../native/libc.js';
import { identityOf } from './file-identity.js';
import { type ProcDir, statIn } from './procfs.js';

/** linux/nsfs.h: _IO(0xb7, 0x2). */
const NS_GET_PARENT = 0xb702;
/** Deeper than the kernel allows (32 nested user namespaces). */
const MAX_DEPTH = 33;

/** A live process without ns/user: a kernel built without namespaces (or a test's fake /proc). */
function hasNoNamespaces(dir: ProcDir): boolean {
  try {
    return readdirSync(`${dir.path}/ns`).length === 0;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

function identity(fd: number): string {
  return identityOf(fstatSync(fd, { bigint: true }));
}

/**
 * Innermost first; [] for a process in `own` namespace, or where the kernel has no user namespaces
 * (no ns/user entry). Throws the raw fs error if unreadable.
 *
 * `known`, the chain read at an earlier request of the same process, is returned when the process
 * is still in its innermost namespace: a namespace's parents are fixed when it is created, so the
 * innermost one decides the rest. Its `dev:ino` cannot name another namespace meanwhile: an inode
 * is reused only once its namespace is freed, and the one the process was in stays alive while
 * the process is in it or in any descendant, the only namespaces it can enter (unshare makes a
 * child; setns needs CAP_SYS_ADMIN in the target, which it has only in its own namespace's
 * descendants). A process privileged in the daemon's namespace could go anywhere, but it could
 * also read the daemon's memory: it is outside the threat model.
 */
export function usernsChain(dir: ProcDir, own: string | null, known?: readonly string[]): string[] {
  // The memo's check needs no fd: a stat of the magic link is the namespace file an open gives.
  if (known !== undefined) {
    const innermost = statIn(dir, 'ns/user');
    if (innermost !== null && identityOf(innermost) === (known[0] ?? own)) return [...known];
  }
  let fd: number;
  try {
    fd = openSync(`${dir.path}/ns/user`, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && hasNoNamespaces(dir)) return [];
    throw err;
  }
  try {
    const chain: string[] = [];
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      const id = identity(fd);
      if (id === own) break;
      chain.push(id);
      // EPERM: the parent lies outside the daemon's view (it runs in a container); the chain
      // ends there.
      const parent = ioctlNoArg(fd, NS_GET_PARENT);
      if (!parent.ok) break;
      closeSync(fd);
      fd = parent.value;
    }
    return chain;
  } finally {
    closeSync(fd);
  }
}
