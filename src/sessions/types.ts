/** The shapes of an `agentid exec` session, apart from the registry that holds them. */
import type { AncestorInfo } from '../attest/index.js';
import type { SessionView } from '../protocol/index.js';

/** Agent name declared with `--agent` (or null), the human, and the root process. */
export type Session = SessionView;

/** A process and its ancestors, each named by pid and start time. */
export interface ProcessChain {
  pid: number;
  startTime: number;
  ancestors: readonly Pick<AncestorInfo, 'pid' | 'startTime'>[];
}
