import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { benchAuditAppend, renderAuditAppend } from '../../bench/audit-append.js';
import { fixtureRow } from '../../bench/audit-fixture.js';
import { AuditWriter } from '../../src/audit/index.js';
import { GENESIS_HASH } from '../../src/audit/row.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentid-append-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const auditDeps = (() => {
  let n = 0;
  return { now: () => new Date(Date.UTC(2025, 5, 1)), randomUUID: () => `id-${++n}` };
})();

/** A real log with `rows` rows, as the bench daemon leaves one. */
function sourceLog(rows: number): string {
  const path = join(dir, 'source.db');
  const writer = AuditWriter.open(path, auditDeps);
  for (let seq = 1; seq <= rows; seq++) writer.append(fixtureRow(seq, 0, GENESIS_HASH));
  writer.close();
  return path;
}

function run(sourceDb: string, rows: number) {
  let t = 0;
  return benchAuditAppend({
    workDir: dir,
    sourceDb,
    rows,
    rounds: 3,
    warmupRows: 5,
    auditDeps,
    // Each reading a millisecond later: rates are finite and positive without a real clock.
    now: () => ++t,
    progress: () => {},
  });
}

describe('benchAuditAppend', () => {
  it('appends the newest source rows through the writer and a bare INSERT, and verifies the chain', () => {
    const result = run(sourceLog(40), 30);
    expect(result.rows).toBe(30);
    expect(result.writer).toHaveLength(3);
    expect(result.insert).toHaveLength(3);
    for (const rate of [...result.writer, ...result.insert]) expect(rate).toBeGreaterThan(0);
    expect(result.verified).toBe(true);
    // Every round's files are removed; only the source log is left.
    expect(readdirSync(dir).filter((f) => f.startsWith('append-'))).toEqual([]);
  });

  it('refuses a source log with fewer rows than asked for', () => {
    expect(() => run(sourceLog(10), 30)).toThrow(/wrote 10 audit rows, the append bench needs 30/);
  });
});

describe('renderAuditAppend', () => {
  it('reports medians, µs per row and the ratio to the plain INSERT of the same run', () => {
    const text = renderAuditAppend({
      rows: 10_000,
      writer: [20_000, 10_000, 30_000],
      insert: [40_000, 50_000, 60_000],
      verified: true,
    }).join('\n');
    expect(text).toContain('| `AuditWriter.append` | 20,000 | 50.0 | 0.40× | 20,000 / 10,000 / 30,000 |');
    expect(text).toContain('| plain prepared INSERT | 50,000 | 20.0 | 1.00× | 40,000 / 50,000 / 60,000 |');
    expect(text).toContain('passes `audit verify`: yes ✅');
  });

  it('says so when the written chain does not verify', () => {
    const text = renderAuditAppend({ rows: 1, writer: [1], insert: [1], verified: false }).join('\n');
    expect(text).toContain('passes `audit verify`: no ❌');
  });
});
