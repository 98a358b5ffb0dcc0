/**
 * The audit viewer's benchmark: with a 1,000,000-row log, the time to the TUI's first screen (open
 * the file, header counts, first page, rendered by ink to text) and the page-down latency; and
 * `audit verify` throughput over a real hash chain. In process, so the figures are the TUI's and
 * the verifier's own work, not node's start-up.
 */
import { join } from 'node:path';
import { renderToString } from 'ink';
import { createElement } from 'react';
import { Table } from '../cli/tui/views.js';
import { move, top } from '../cli/tui/window.js';
import { AuditReader } from '../src/audit/index.js';
import { generateAuditLog } from './audit-fixture.js';

export const TARGET_FIRST_SCREEN_MS = 300;
export const TARGET_VERIFY_ROWS_PER_S = 200_000;

const VIEW_ROWS = 1_000_000;
const VERIFY_ROWS = 100_000;
const PAGE = 40;
const PAGE_DOWNS = 200;
const ROUNDS = 3;

export interface AuditViewDeps {
  workDir: string;
  now: () => number;
  progress: (message: string) => void;
}

export function benchAuditView(deps: AuditViewDeps): string[] {
  const viewDb = join(deps.workDir, 'audit-view.db');
  deps.progress(`audit view: generating ${VIEW_ROWS.toLocaleString('en-US')} rows`);
  generateAuditLog(viewDb, { rows: VIEW_ROWS, chained: false });

  const firstScreens: number[] = [];
  const pageDowns: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = deps.now();
    const reader = AuditReader.open(viewDb);
    reader.stats();
    let w = top(reader, {}, PAGE);
    renderToString(createElement(Table, { rows: w.rows, cursor: w.cursor, width: 120, height: PAGE }));
    firstScreens.push(deps.now() - start);
    for (let i = 0; i < PAGE_DOWNS; i++) {
      const t = deps.now();
      w = move(reader, {}, w, PAGE, PAGE);
      pageDowns.push(deps.now() - t);
    }
    reader.close();
  }

  const verifyDb = join(deps.workDir, 'audit-verify.db');
  deps.progress(`audit verify: generating ${VERIFY_ROWS.toLocaleString('en-US')} chained rows`);
  generateAuditLog(verifyDb, { rows: VERIFY_ROWS, chained: true });
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const reader = AuditReader.open(verifyDb);
    const start = deps.now();
    const result = reader.verify();
    const seconds = (deps.now() - start) / 1000;
    reader.close();
    if (!result.ok || result.rows !== VERIFY_ROWS)
      throw new Error(`verify failed: ${JSON.stringify(result)}`);
    rates.push(VERIFY_ROWS / seconds);
  }

  const firstScreen = median(firstScreens);
  const verify = median(rates);
  const mark = (ok: boolean) => (ok ? '✅' : '❌');
  return [
    '## Audit viewer',
    '',
    `In process, median of ${ROUNDS} rounds. First screen: open the ${VIEW_ROWS.toLocaleString('en-US')}-row log ` +
      `read-only, header counts, the newest ${PAGE} rows, rendered by ink. Page-down: one keyset query of ` +
      `${PAGE} rows. Verify: a ${VERIFY_ROWS.toLocaleString('en-US')}-row hash chain, every row re-hashed.`,
    '',
    '| Measure | Result | Target |',
    '|---|--:|---|',
    `| first screen, 1M rows | ${firstScreen.toFixed(1)} ms | ${mark(firstScreen < TARGET_FIRST_SCREEN_MS)} < ${TARGET_FIRST_SCREEN_MS} ms |`,
    `| page down, p50 / p99 | ${quantile(pageDowns, 0.5).toFixed(2)} / ${quantile(pageDowns, 0.99).toFixed(2)} ms | |`,
    `| \`audit verify\` | ${Math.round(verify).toLocaleString('en-US')} rows/s | ${mark(verify > TARGET_VERIFY_ROWS_PER_S)} > ${TARGET_VERIFY_ROWS_PER_S.toLocaleString('en-US')} rows/s |`,
  ];
}

function median(values: number[]): number {
  return quantile(values, 0.5);
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
