/**
 * Whole-process timings, shared so every table of the bench measures alike: each contender runs
 * once per round in the same order, round after round, so a noisy moment of the machine hits them
 * all; the figure is the median of the rounds.
 */

/** What a whole-process bench section needs: where to work, what to run, how many rounds. */
export interface ProcessBenchOptions {
  workDir: string;
  repoRoot: string;
  nodePath: string;
  runs: number;
  startTimeoutMs: number;
  now: () => number;
  progress: (message: string) => void;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function time(run: () => void, now: () => number): number {
  const start = now();
  run();
  return now() - start;
}

export async function timeAsync(run: () => Promise<unknown>, now: () => number): Promise<number> {
  const start = now();
  await run();
  return now() - start;
}

/** The median ms of each contender over `runs` interleaved rounds. */
export function interleaved<K extends string>(
  contenders: Readonly<Record<K, () => void>>,
  runs: number,
  now: () => number,
): Record<K, number> {
  const names = Object.keys(contenders) as K[];
  const samples = new Map<K, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < runs; round++) {
    for (const name of names) samples.get(name)?.push(time(contenders[name], now));
  }
  return Object.fromEntries(names.map((name) => [name, median(samples.get(name) ?? [])])) as Record<
    K,
    number
  >;
}
