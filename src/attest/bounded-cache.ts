/**
 * A size-bounded map for the attestor's caches. The daemon is long-lived and callers choose their
 * pids, cwds and executables, so every cache must forget (DESIGN: every input is bounded). Least
 * recently used entries go first, which keeps the hot agent's entries resident. `dispose` is
 * given every value the cache lets go of (a descriptor to close).
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #max: number;
  readonly #dispose: ((value: V) => void) | undefined;

  constructor(max: number, dispose?: (value: V) => void) {
    this.#max = max;
    this.#dispose = dispose;
  }

  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      // Map keeps insertion order: re-inserting marks the entry most recently used.
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    const old = this.#entries.get(key);
    if (old !== undefined && old !== value) this.#dispose?.(old);
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
  }

  delete(key: K): void {
    const value = this.#entries.get(key);
    if (value === undefined) return;
    this.#entries.delete(key);
    this.#dispose?.(value);
  }
}
