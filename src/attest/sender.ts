/**
 * Is the process that connected still the code that sends? SO_PEERCRED names the process that
 * called connect(), and a pidfd proves that process is alive; neither says it has not exec'd
 * another binary since, keeping the connection (not close-on-exec) for a forked child to send on.
 * exec keeps pid, start time and pidfd, so the daemon would attest the new binary (SECURITY.md,
 * "attest the sender").
 *
 * What cannot cross an exec is a close-on-exec descriptor. So after the /proc reads the daemon
 * waits out any exec in progress (opening /proc/PID/environ takes the kernel's exec_update_lock,
 * which execve holds from switching the executable until close-on-exec descriptors are closed),
 * then looks for the connection among the connector's descriptors: held close-on-exec, the code
 * whose exe was read is the code that opened it; held inheritable, it may have been opened by a
 * previous image; not held at all, someone else is sending. The exe is compared once more after
 * that, so an exec that started during the reads is seen too.
 */
import { closeSync, openSync, readdirSync, readlinkSync } from 'node:fs';
import { O_CLOEXEC } from '../native/libc.js';
import { type ProcDir, readProcText } from './procfs.js';

/** How the connector holds its connection; null when it holds it in no descriptor. */
export type ConnectionHold = 'close-on-exec' | 'inheritable' | null;

/** Blocks while the process is in the middle of an execve, until its old descriptors are closed. */
export function awaitExec(dir: ProcDir): void {
  closeSync(openSync(`${dir.path}/environ`, 'r'));
}

/**
 * Every descriptor of the process on socket `inode`: close-on-exec only if all are (one
 * inheritable copy may have crossed an exec).
 */
export function connectionHold(dir: ProcDir, inode: number): ConnectionHold {
  const target = `socket:[${inode}]`;
  let hold: ConnectionHold = null;
  for (const fd of readdirSync(`${dir.path}/fd`)) {
    let link: string;
    try {
      link = readlinkSync(`${dir.path}/fd/${fd}`);
    } catch {
      continue; // closed since readdir
    }
    if (link !== target) continue;
    const flags = /^flags:\s*([0-7]+)$/m.exec(readProcText(`${dir.path}/fdinfo/${fd}`))?.[1];
    if (flags === undefined || (Number.parseInt(flags, 8) & O_CLOEXEC) === 0) return 'inheritable';
    hold = 'close-on-exec';
  }
  return hold;
}
