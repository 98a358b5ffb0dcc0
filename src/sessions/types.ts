/**
 * `agentid exec` sessions as the daemon keeps (and persists) them. A session is rooted at the exec
 * wrapper's process, named by (pid, start time) so a recycled pid never inherits it. Who belongs
 * to it is decided in membership.ts; what it may never exceed is `bounds` (narrow.ts).
 */
import type { HumanView } from '../protocol/index.js';

/** The sandbox's first process (pid 1 of its pid namespace, seen from outside) and its user namespace. */
export interface SandboxRecord {
  pid: number;
  startTime: number;
  /** `dev:ino` of its user namespace. */
  userns: string;
}

export interface SessionRecord {
  id: string;
  /** Agent name declared with `--agent`, or null. */
  agent: string | null;
  human: HumanView;
  rootPid: number;
  rootStartTime: number;
  startedAt: string;
  /** The session this one was started in (`--nest`), or null. */
  parent: string | null;
  /**
   * Agents every request from inside must be permitted as too: the declared agent, the agents of
   * the sessions it runs in, and the agent that started it from inside one of them. A session only
   * ever narrows what its processes may get.
   */
  bounds: string[];
  /** The wrapper made itself a child subreaper: orphans stay below it, in the session's tree. */
  subreaper: boolean;
  /** Set once the wrapper registered its sandbox. */
  sandbox: SandboxRecord | null;
}
