/**
 * Refusals at a front door's accept (a peer of another uid) are counted, not audited one by one:
 * another local user who opens a thousand connections must not write a thousand rows into the
 * victim's log, nor make the log's writer its amplifier. The first refusal of a (door, resource,
 * uid, code) starts an interval; when it ends, one row (daemon/record.ts, recordRefusals) says how
 * many there were, from when to when. `flush` writes what is pending (the daemon calls it when it
 * stops), so a clean stop loses no count. The clock and the timer are the caller's.
 */
import type { ErrorCode } from '../src/errors.js';

export interface Refusal {
  /** The audit action of the door, e.g. 'aws.container'. */
  action: string;
  resource: string | null;
  uid: number;
  errorCode: ErrorCode;
  /** Why, in a few words: 'another uid'. */
  why: string;
}

export interface RefusalCount {
  refusal: Refusal;
  count: number;
  first: Date;
  last: Date;
}

export interface RefusalTallyDeps {
  write(count: RefusalCount): void;
  now(): Date;
  /** Calls `fn` once after `ms`; the timer must not keep the process alive. */
  after(ms: number, fn: () => void): void;
  intervalMs: number;
}

export class RefusalTally {
  readonly #deps: RefusalTallyDeps;
  readonly #pending = new Map<string, RefusalCount>();

  constructor(deps: RefusalTallyDeps) {
    this.#deps = deps;
  }

  refuse(refusal: Refusal): void {
    const key = JSON.stringify([refusal.action, refusal.resource, refusal.uid, refusal.errorCode]);
    const now = this.#deps.now();
    const pending = this.#pending.get(key);
    if (pending) {
      pending.count += 1;
      pending.last = now;
      return;
    }
    this.#pending.set(key, { refusal, count: 1, first: now, last: now });
    this.#deps.after(this.#deps.intervalMs, () => this.#write(key));
  }

  /** Writes every pending count now. */
  flush(): void {
    for (const key of [...this.#pending.keys()]) this.#write(key);
  }

  #write(key: string): void {
    const pending = this.#pending.get(key);
    if (!pending) return;
    this.#pending.delete(key);
    this.#deps.write(pending);
  }
}
