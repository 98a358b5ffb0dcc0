/**
 * Cedar's answers for one active policy set, by the exact request Cedar was asked. A Cedar
 * decision is a pure function of the policy set and the request — principal, action, resource,
 * entities and context, whose `request.time` is in whole seconds — with no clock, randomness or
 * I/O of its own, so an identical request gets an identical answer and asking again is waste.
 * That is what a client sending the same call over and over does (an SDK's requests to one
 * endpoint through the gateway, within the same second). The key is the whole request as Cedar is
 * asked it (only what the bucket's policies read, src/policy/reads.ts), so two requests share an
 * answer only when nothing Cedar could look at differs; a reload starts a new set
 * and with it an empty memo (engine.ts). Bounded: the oldest answer makes room.
 */
export class DecisionMemo<T> {
  readonly #answers = new Map<string, T>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** The answer remembered for `key`, or `decide()`'s, remembered. */
  answer(key: string, decide: () => T): T {
    const known = this.#answers.get(key);
    if (known !== undefined) return known;
    const answer = decide();
    if (this.#answers.size >= this.#max) {
      const oldest = this.#answers.keys().next();
      if (!oldest.done) this.#answers.delete(oldest.value);
    }
    this.#answers.set(key, answer);
    return answer;
  }
}
