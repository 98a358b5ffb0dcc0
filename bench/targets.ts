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
  /** For a target not met: what bounds the figure, from figures measured in the same run. */
  bound?: string;
}

export function renderTargets(targets: readonly Target[]): string[] {
  return [
    '## Targets (issue #16)',
    '',
    '| | Target | Goal | Measured | What bounds it (figures of this run) |',
    '|---|---|---|---|---|',
    ...targets.map(
      (t) => `| ${mark(t.met)} | ${t.what} | ${t.goal} | ${t.figure} | ${t.met ? '' : (t.bound ?? '')} |`,
    ),
  ];
}
