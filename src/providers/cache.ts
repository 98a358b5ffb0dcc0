/**
 * Reuse of short-lived credentials, the way AWS SDKs do it: a credential is handed out again
 * until `expiresAt - margin` (5 min by default), then replaced. The key is (credential, agent,
 * human, scope), so nothing is ever shared across agents or humans; concurrent requests for the
 * same key share one upstream call.
 */
import type { Issued, IssueRequest } from './types.js';

export const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;

export interface CacheOptions {
  now: () => Date;
  refreshMarginMs?: number;
  /** Bound on entries; the soonest-expiring go first. */
  maxEntries?: number;
}

export class CredentialCache {
  readonly #entries = new Map<string, Issued<unknown>>();
  readonly #inFlight = new Map<string, Promise<Issued<unknown>>>();
  readonly #now: () => Date;
  readonly #margin: number;
  readonly #max: number;
  /** Bumped by clear(): what was being issued before it is not stored. */
  #generation = 0;

  constructor(options: CacheOptions) {
    this.#now = options.now;
    this.#margin = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    this.#max = options.maxEntries ?? 1024;
  }

  /** The cached credential while fresh, else one from `issue` (shared by concurrent callers). */
  async get<T>(
    request: IssueRequest,
    issue: () => Promise<Issued<T>>,
  ): Promise<{ issued: Issued<T>; cached: boolean }> {
    const key = cacheKey(request);
    const hit = this.#entries.get(key);
    if (hit && this.#fresh(hit)) return { issued: hit as Issued<T>, cached: true };
    let pending = this.#inFlight.get(key) as Promise<Issued<T>> | undefined;
    if (!pending) {
      const generation = this.#generation;
      const issuing = issue();
      pending = issuing;
      this.#inFlight.set(key, issuing);
      issuing.then(
        (issued) => {
          if (this.#inFlight.get(key) === issuing) this.#inFlight.delete(key);
          // Issued under a definition that has since been replaced: answered, never kept.
          if (generation === this.#generation) this.#store(key, issued);
        },
        () => {
          if (this.#inFlight.get(key) === issuing) this.#inFlight.delete(key);
        },
      );
    }
    return { issued: await pending, cached: false };
  }

  /** Forgets every cached credential (their definitions changed); calls in flight answer but are not kept. */
  clear(): void {
    this.#generation += 1;
    this.#entries.clear();
    this.#inFlight.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  #fresh(issued: Issued<unknown>): boolean {
    return issued.expiresAt.getTime() - this.#margin > this.#now().getTime();
  }

  #store(key: string, issued: Issued<unknown>): void {
    if (!this.#fresh(issued)) return;
    this.#entries.set(key, issued);
    if (this.#entries.size <= this.#max) return;
    for (const [k, v] of this.#entries) if (!this.#fresh(v)) this.#entries.delete(k);
    while (this.#entries.size > this.#max) {
      const soonest = [...this.#entries].sort(
        (a, b) => a[1].expiresAt.getTime() - b[1].expiresAt.getTime(),
      )[0];
      if (!soonest) break;
      this.#entries.delete(soonest[0]);
    }
  }
}

/** JSON of the tuple: no separator a name could contain can make two keys collide. */
function cacheKey(r: IssueRequest): string {
  return JSON.stringify([r.credential, r.agent, r.human, r.scope]);
}
