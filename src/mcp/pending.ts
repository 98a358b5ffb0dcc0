/**
 * The client's requests the server has not answered yet, by JSON-RPC id: what each one was (so
 * a list answer is filtered and a call's result reported) and a way to wait until none is left
 * (before the server is replaced, or the proxy stops).
 */
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { DecidedCall } from './gate.js';

export interface PendingRequest {
  method: string;
  /** Set for a call policy decided: its result is reported once answered. */
  call?: DecidedCall;
}

export class PendingRequests {
  // Ids are strings or numbers: keyed by their JSON so 1 and "1" stay apart.
  readonly #byId = new Map<string, PendingRequest>();
  #waiters: (() => void)[] = [];

  add(id: RequestId, request: PendingRequest): void {
    this.#byId.set(JSON.stringify(id), request);
  }

  /** Removes and returns the request `id` answers, if it is one of ours. */
  settle(id: RequestId): PendingRequest | undefined {
    const key = JSON.stringify(id);
    const request = this.#byId.get(key);
    this.#byId.delete(key);
    if (this.#byId.size === 0) for (const wake of this.#waiters.splice(0)) wake();
    return request;
  }

  /** Removes and returns every request still waiting, with its id. */
  drain(): [RequestId, PendingRequest][] {
    const all = [...this.#byId].map(
      ([key, request]) => [JSON.parse(key) as RequestId, request] as [RequestId, PendingRequest],
    );
    for (const [id] of all) this.settle(id);
    return all;
  }

  get size(): number {
    return this.#byId.size;
  }

  /** Resolves once no request is waiting. */
  empty(): Promise<void> {
    return this.#byId.size === 0 ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }
}
