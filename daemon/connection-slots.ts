/**
 * Who gets one of a front door's connection slots when a flood wants them all. A connection is
 * `fresh` until its request's headers are in, `body` while its body is read, `busy` while its
 * request is handled, `idle` between keep-alive requests. At the cap a newcomer takes the slot of
 * the longest-idle connection, or else of the oldest one stuck in its headers or body for longer
 * than `graceMs` (that one is told why, with a coded 408, by its `evict`): a slow or idle client
 * cannot lock out a real request, and one that is merely a little slower than the newcomer is not
 * punished for it. Stuck means the client's fault: a connection whose input has arrived and waits
 * for a busy daemon to read it (`waiting`) is not slow, however old. Busy ones are never taken. When nothing can go, the newcomer gets an
 * overflow place, whose only use is a coded 503 once its request is read: an answer, not a reset.
 * Past the overflow cap a connection is closed at once (that bounds the file descriptors).
 */

export type SlotState = 'fresh' | 'body' | 'busy' | 'idle';

export interface SlotLimits {
  cap: number;
  overflowCap: number;
  graceMs: number;
}

export interface Slot {
  /** Over the cap: answer this connection's request with 503 and close it. */
  readonly overflow: boolean;
  /** Set by the front door: answers (408) and closes the connection when its slot is taken. */
  evict: () => void;
  /** Marks the connection's progress; `since` restarts with each state. */
  enter(state: SlotState): void;
  /** The connection closed (idempotent: also after an eviction). */
  close(): void;
}

interface Held {
  state: SlotState;
  since: number;
  slot: Slot;
  waiting: () => boolean;
}

export class ConnectionSlots {
  readonly #limits: SlotLimits;
  readonly #now: () => number;
  readonly #held = new Set<Held>();
  #overflow = 0;

  constructor(limits: SlotLimits, now: () => number) {
    this.#limits = limits;
    this.#now = now;
  }

  /** Connections holding a slot (overflow places not counted). */
  get size(): number {
    return this.#held.size;
  }

  /**
   * A slot for a new connection, or null: close it at once. `waiting` tells whether input the
   * connection sent is there, not yet read.
   */
  open(evict: () => void, waiting: () => boolean = () => false): Slot | null {
    if (this.#held.size >= this.#limits.cap) {
      const victim = this.#victim();
      if (victim) {
        this.#held.delete(victim);
        victim.slot.evict();
      } else if (this.#overflow < this.#limits.overflowCap) {
        return this.#overflowSlot(evict);
      } else {
        return null;
      }
    }
    let open = true;
    const held: Held = {
      state: 'fresh',
      since: this.#now(),
      waiting,
      slot: {
        overflow: false,
        evict,
        enter: (state) => {
          held.state = state;
          held.since = this.#now();
        },
        close: () => {
          if (!open) return;
          open = false;
          this.#held.delete(held);
        },
      },
    };
    this.#held.add(held);
    return held.slot;
  }

  #overflowSlot(evict: () => void): Slot {
    this.#overflow += 1;
    let open = true;
    return {
      overflow: true,
      evict,
      enter: () => {},
      close: () => {
        if (!open) return;
        open = false;
        this.#overflow -= 1;
      },
    };
  }

  /** The longest-idle connection, else the oldest slow one past the grace; never a busy one. */
  #victim(): Held | undefined {
    const now = this.#now();
    let idle: Held | undefined;
    const stuck: Held[] = [];
    for (const held of this.#held) {
      if (held.state === 'idle') {
        if (!idle || held.since < idle.since) idle = held;
      } else if (held.state !== 'busy' && now - held.since >= this.#limits.graceMs) {
        stuck.push(held);
      }
    }
    if (idle) return idle;
    // Oldest first; asking whether input waits costs a syscall, so only until one is found.
    return stuck.sort((a, b) => a.since - b.since).find((held) => !held.waiting());
  }
}
