/**
 * `agentid exec` sessions, held in daemon memory. A session is rooted at the exec wrapper's
 * process, named by (pid, start time) so a recycled pid never inherits it; a caller belongs to
 * the nearest session whose root is itself or one of its ancestors. Sessions die with the daemon
 * on purpose: a restarted daemon must not trust a pid it did not see register.
 */
import type { ProcessChain, Session } from './types.js';

export class SessionRegistry {
  readonly #byId = new Map<string, Session>();
  readonly #byRoot = new Map<string, Session>();
  readonly #onRemove: ((session: Session) => void)[] = [];

  /** Per-session resources (the AWS container endpoint) register here to die with the session. */
  onRemove(listener: (session: Session) => void): void {
    this.#onRemove.push(listener);
  }

  add(session: Session): void {
    this.#byId.set(session.id, session);
    this.#byRoot.set(rootKey(session.rootPid, session.rootStartTime), session);
  }

  remove(id: string): Session | undefined {
    const session = this.#byId.get(id);
    if (!session) return undefined;
    this.#byId.delete(id);
    this.#byRoot.delete(rootKey(session.rootPid, session.rootStartTime));
    for (const listener of this.#onRemove) listener(session);
    return session;
  }

  /** The nearest session rooted at the process or an ancestor, matched by pid AND start time. */
  find(chain: ProcessChain): Session | null {
    for (const hop of [chain, ...chain.ancestors]) {
      const session = this.#byRoot.get(rootKey(hop.pid, hop.startTime));
      if (session) return session;
    }
    return null;
  }

  /** Drops sessions whose root process is gone (an exec wrapper killed before it could end them). */
  prune(rootAlive: (pid: number, startTime: number) => boolean): Session[] {
    const gone = [...this.#byId.values()].filter((s) => !rootAlive(s.rootPid, s.rootStartTime));
    for (const s of gone) this.remove(s.id);
    return gone;
  }

  get size(): number {
    return this.#byId.size;
  }
}

/** Whether the session's root is the process itself or one of its ancestors, by pid and start time. */
export function inSession(chain: ProcessChain, session: Session): boolean {
  return [chain, ...chain.ancestors].some(
    (hop) => hop.pid === session.rootPid && hop.startTime === session.rootStartTime,
  );
}

function rootKey(pid: number, startTime: number): string {
  return `${pid}:${startTime}`;
}
