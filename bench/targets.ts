/**
 * The targets of issue #16 (speed), each judged on a figure measured in this run: one table at the
 * end of BENCH.md, ✅ or ❌, with the figure and, where a section was not run or a yardstick is
 * missing on this machine, the reason instead of a figure.
 */
import { mark } from './format.js';

export interface Target {
  what: string;
  goal: string;
  /** The measured figure, or why there is none. */
  figure: string;
  met: boolean;
}

export function renderTargets(targets: readonly Target[]): string[] {
  return [
    '## Targets (issue #16)',
    '',
    '| | Target | Goal | Measured |',
    '|---|---|---|---|',
    ...targets.map((t) => `| ${mark(t.met)} | ${t.what} | ${t.goal} | ${t.figure} |`),
  ];
}
