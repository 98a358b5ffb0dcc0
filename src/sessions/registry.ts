/**
 * The live sessions: indexed by id, by root (pid, start time) and by the user namespace of their
 * sandbox, persisted on every change (store.ts) and restored when the daemon starts. A sandboxed
 * session holds an open descriptor on its user namespace, so that namespace, and with it its
 * inode number, cannot be freed and reused by another while the session lives.
 */
import { AgentIdError } from '../errors.js';
import type { SandboxRecord, SessionRecord } from '../protocol/index.js';
import type { SessionStore } from './store.js';

export interface ProcessChain {
  pid: number;
  startTime: number;
  ancestors: readonly { pid: number; startTime: number }[];
}

/** Opens the sandbox's user namespace to hold it; null when the sandbox is gone or changed. */
export type PinUserns = (sandbox: SandboxRecord) => { close(): void } | null;

export class SessionRegistry {
  readonly #store: SessionStore;
  readonly #byId = new Map<string, SessionRecord>();
  readonly #byRoot = new Map<string, SessionRecord>();
  readonly #byUserns = new Map<string, SessionRecord>();
  readonly #pins = new Map<string, { close(): void }>();
  readonly #onRemove: ((session: SessionRecord) => void)[] = [];

  constructor(store: SessionStore) {
    this.#store = store;
  }

  /**
   * Loads the persisted sessions whose root is still alive; a sandbox whose namespace cannot be
   * pinned again (its processes are gone) is dropped from its session. Returns what was dropped.
   */
  restore(
    rootAlive: (pid: number, startTime: number) => boolean,
    pin: PinUserns,
  ): { restored: number; ended: string[] } {
    const ended: string[] = [];
    for (const record of this.#store.load()) {
      if (!rootAlive(record.rootPid, record.rootStartTime)) {
        ended.push(record.id);
        continue;
      }
      const held = record.sandbox ? pin(record.sandbox) : null;
      this.#index({ ...record, sandbox: held ? record.sandbox : null }, held);
    }
    this.#save();
    return { restored: this.#byId.size, ended };
  }

  /** Per-session resources (the AWS container endpoint) register here to die with the session. */
  onRemove(listener: (session: SessionRecord) => void): void {
    this.#onRemove.push(listener);
  }

  add(session: SessionRecord): void {
    this.#index(session, null);
    this.#save();
  }

  /** Records the sandbox of a session, holding its namespace open with `pin`. */
  attachSandbox(id: string, sandbox: SandboxRecord, pin: { close(): void }): SessionRecord | undefined {
    const session = this.#byId.get(id);
    if (!session || session.sandbox) {
      pin.close();
      return undefined;
    }
    const updated = { ...session, sandbox };
    this.#index(updated, pin);
    this.#save();
    return updated;
  }

  remove(id: string): SessionRecord | undefined {
    const session = this.#byId.get(id);
    if (!session) return undefined;
    this.#unindex(session);
    this.#save();
    for (const listener of this.#onRemove) listener(session);
    return session;
  }

  get(id: string): SessionRecord | undefined {
    return this.#byId.get(id);
  }

  /** The session rooted at exactly this process. */
  rootedAt(pid: number, startTime: number): SessionRecord | null {
    return this.#byRoot.get(rootKey(pid, startTime)) ?? null;
  }

  /**
   * Session `id`, if the process is its root: only the exec wrapper that started a session may
   * end it, open its AWS endpoint or register its sandbox; an agent inside cannot.
   */
  ownedBy(id: string, root: { pid: number; startTime: number }): SessionRecord {
    const session = this.rootedAt(root.pid, root.startTime);
    if (session?.id !== id) {
      throw new AgentIdError('ERR_SESSION_NOT_FOUND', `no session ${id.slice(0, 64)} rooted at this process`);
    }
    return session;
  }

  /** The nearest session rooted at the process or an ancestor, matched by pid AND start time. */
  byAncestry(chain: ProcessChain): SessionRecord | null {
    for (const hop of [chain, ...chain.ancestors]) {
      const session = this.rootedAt(hop.pid, hop.startTime);
      if (session) return session;
    }
    return null;
  }

  /** The session whose sandbox is the innermost of these user namespaces (innermost first). */
  byUserns(chain: readonly string[]): SessionRecord | null {
    for (const userns of chain) {
      const session = this.#byUserns.get(userns);
      if (session) return session;
    }
    return null;
  }

  /** Whether `inner` is `outer` or was started inside it, at any depth. */
  within(inner: SessionRecord, outer: SessionRecord): boolean {
    const seen = new Set<string>();
    for (
      let s: SessionRecord | undefined = inner;
      s && !seen.has(s.id);
      s = s.parent ? this.#byId.get(s.parent) : undefined
    ) {
      if (s.id === outer.id) return true;
      seen.add(s.id);
    }
    return false;
  }

  /**
   * Ends sessions whose root process is gone (a wrapper killed before it could end them) and
   * whose sandbox, if any, is gone too (bubblewrap kills it with the wrapper).
   */
  prune(alive: (pid: number, startTime: number) => boolean): SessionRecord[] {
    const gone = [...this.#byId.values()].filter(
      (s) => !alive(s.rootPid, s.rootStartTime) && !(s.sandbox && alive(s.sandbox.pid, s.sandbox.startTime)),
    );
    for (const s of gone) this.remove(s.id);
    return gone;
  }

  get size(): number {
    return this.#byId.size;
  }

  #index(session: SessionRecord, pin: { close(): void } | null): void {
    this.#byId.set(session.id, session);
    this.#byRoot.set(rootKey(session.rootPid, session.rootStartTime), session);
    if (session.sandbox) this.#byUserns.set(session.sandbox.userns, session);
    if (pin) this.#pins.set(session.id, pin);
  }

  #unindex(session: SessionRecord): void {
    this.#byId.delete(session.id);
    this.#byRoot.delete(rootKey(session.rootPid, session.rootStartTime));
    if (session.sandbox) this.#byUserns.delete(session.sandbox.userns);
    this.#pins.get(session.id)?.close();
    this.#pins.delete(session.id);
  }

  #save(): void {
    this.#store.save([...this.#byId.values()]);
  }
}

function rootKey(pid: number, startTime: number): string {
  return `${pid}:${startTime}`;
}
