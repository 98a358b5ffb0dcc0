/**
 * The fuzzing harness shared by the hardening fuzzers: a seeded fast-check run of at least
 * 10,000 cases where every case is judged (not just the first failure), so the run reports how
 * many cases it tried and how many broke, and names the seed and first failure to replay.
 */
import fc from 'fast-check';
import { AgentIdError, type ErrorCode } from '../../src/errors.js';

export const FUZZ_RUNS = Number(process.env.AGENTID_FUZZ_RUNS ?? 10_000);
/** `AGENTID_FUZZ_SEED=<n>` replays a run. */
export const FUZZ_SEED = Number(process.env.AGENTID_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

export interface FuzzOutcome {
  tried: number;
  failures: number;
  seed: number;
  firstFailure: string | null;
}

/** Why a thrown value is not the coded error expected of bad input, or null when it is. */
export function notCoded(err: unknown, codes: readonly ErrorCode[]): string | null {
  if (err instanceof AgentIdError && codes.includes(err.code)) return null;
  return err instanceof AgentIdError
    ? `unexpected code ${err.code}: ${err.message}`
    : `uncoded ${String(err)}`;
}

/** Runs `judge` on FUZZ_RUNS cases; judge returns null when the case went as it must. */
export async function fuzz<T>(
  arbitrary: fc.Arbitrary<T>,
  judge: (input: T) => string | null | Promise<string | null>,
  runs = FUZZ_RUNS,
): Promise<FuzzOutcome> {
  const outcome: FuzzOutcome = { tried: 0, failures: 0, seed: FUZZ_SEED, firstFailure: null };
  console.info(`fuzz seed ${FUZZ_SEED} (replay with AGENTID_FUZZ_SEED=${FUZZ_SEED})`);
  await fc.assert(
    fc.asyncProperty(arbitrary, async (input) => {
      outcome.tried += 1;
      const why = await judge(input);
      if (why !== null) {
        outcome.failures += 1;
        outcome.firstFailure ??= `${why}\n  input: ${JSON.stringify(input)?.slice(0, 500)}`;
      }
    }),
    { numRuns: runs, seed: FUZZ_SEED, endOnFailure: true },
  );
  return outcome;
}
