/**
 * Starting the command of `agentid exec` in its sandbox (src/sandbox) in three steps, so that it
 * never runs before the daemon knows its sandbox: bubblewrap builds the namespaces, writes the pid
 * of the sandbox's first process to an info pipe and waits on a block pipe; the wrapper registers
 * that process with the daemon (which checks it for itself); only then is the block pipe written
 * and the command run. bubblewrap runs in a session of its own: the sandbox has no controlling
 * terminal, so terminal signals reach only the wrapper, which passes them on to the command.
 */
import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { AgentIdError } from '../../src/errors.js';
import type { SandboxPlan } from '../../src/sandbox/index.js';

/** Where bubblewrap finds the pipes: the first two descriptors after stdin, stdout and stderr. */
export const INFO_FD = 3;
export const BLOCK_FD = 4;

export interface StartedSandbox {
  child: ChildProcess;
  /** Pid of the sandbox's first process (its pid 1), as seen from outside. */
  initPid: number;
  /** Lets the command run. */
  release(): void;
}

type Spawn = (
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
  options: { pipes: number; detached: boolean },
) => ChildProcess;

export async function startSandboxed(
  spawn: Spawn,
  bwrap: string,
  plan: SandboxPlan,
  command: string,
  args: readonly string[],
): Promise<StartedSandbox> {
  const child = spawn(bwrap, [...plan.args, command, ...args], plan.env, { pipes: 2, detached: true });
  const info = child.stdio[INFO_FD] as Readable;
  const block = child.stdio[BLOCK_FD] as Writable;
  const initPid = await new Promise<number>((resolve, reject) => {
    let text = '';
    const fail = (why: string) =>
      reject(new AgentIdError('ERR_SANDBOX_FAILED', `bubblewrap did not start the sandbox: ${why}`));
    info.setEncoding('utf8');
    info.on('data', (chunk: string) => {
      text += chunk;
    });
    info.once('end', () => {
      const pid = parseChildPid(text);
      if (pid === null) fail(text === '' ? 'it exited first (its message is above)' : 'unreadable info');
      else resolve(pid);
    });
    child.once('error', (err) => fail(err.message));
  });
  return { child, initPid, release: () => block.end('1') };
}

/** `child-pid` of bubblewrap's `--info-fd` JSON; null when absent. Pure. */
export function parseChildPid(text: string): number | null {
  try {
    const pid = (JSON.parse(text) as Record<string, unknown>)['child-pid'];
    return typeof pid === 'number' && Number.isSafeInteger(pid) && pid > 1 ? pid : null;
  } catch {
    return null;
  }
}
