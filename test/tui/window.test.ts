/**
 * Paging through a million-row log: every screen is one bounded, indexed query (LIMIT a page,
 * keyset cursor on seq), so opening and paging never loads the log; a filter by agent walks the
 * agent index. Rows are generated in SQL (bench/audit-fixture.ts); they need no valid chain here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_AGENTS, generateAuditLog } from '../../bench/audit-fixture.js';
import { bottom, move, newer, type Pager, top } from '../../cli/tui/window.js';
import { type AuditQuery, AuditReader } from '../../src/audit/index.js';
import { tempDbPath } from '../audit/helpers.js';
import { writeLog } from './helpers.js';

const MILLION = 1_000_000;
const PAGE = 40;

/** The real reader, counting what each query asked for and got. */
function counting(reader: AuditReader) {
  const calls: { query: AuditQuery; rows: number }[] = [];
  const pager: Pager = {
    query(query) {
      const rows = reader.query(query);
      calls.push({ query, rows: rows.length });
      return rows;
    },
  };
  return { pager, calls };
}

describe('paging a 1,000,000-row log', () => {
  let reader: AuditReader;
  let path: string;
  beforeAll(() => {
    path = tempDbPath();
    generateAuditLog(path, { rows: MILLION, chained: false });
    reader = AuditReader.open(path);
  }, 180_000);
  afterAll(() => reader?.close());

  it('opens and pages with one LIMITed query per screen, never more than a page of rows', () => {
    const { pager, calls } = counting(reader);
    let w = top(pager, {}, PAGE);
    expect(w.rows[0]?.seq).toBe(MILLION);
    for (let i = 0; i < 50; i++) w = move(pager, {}, w, PAGE, PAGE);
    expect(w.rows[0]?.seq).toBe(MILLION - 50 * PAGE);
    expect(w.rows.map((r) => r.seq)).toEqual(Array.from({ length: PAGE }, (_, i) => MILLION - 50 * PAGE - i));
    w = bottom(pager, {}, PAGE);
    expect(w.rows.at(-1)?.seq).toBe(1);
    expect(calls).toHaveLength(52);
    for (const call of calls) {
      expect(call.query.limit).toBe(PAGE);
      expect(call.rows).toBeLessThanOrEqual(PAGE);
    }
    expect(calls.reduce((sum, c) => sum + c.rows, 0)).toBe(52 * PAGE);
  });

  it('steps one row past the edge of the screen with a LIMIT 1 query', () => {
    const { pager, calls } = counting(reader);
    let w = top(pager, {}, PAGE);
    for (let i = 0; i < PAGE - 1; i++) w = move(pager, {}, w, 1, PAGE);
    expect(calls).toHaveLength(1);
    w = move(pager, {}, w, 1, PAGE);
    expect(calls[1]?.query).toMatchObject({ beforeSeq: MILLION - PAGE + 1, limit: 1 });
    expect(w.rows[w.cursor]?.seq).toBe(MILLION - PAGE);
    expect(w.rows).toHaveLength(PAGE);
  });

  it('filters by agent through the agent index, in seq order without a sort', () => {
    const plan = reader.plan({ agent: 'codex', beforeSeq: 500_000, order: 'desc', limit: PAGE }).join('\n');
    expect(plan).toMatch(/USING INDEX events_agent \(agent=\? AND rowid<\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
    const { pager } = counting(reader);
    const w = move(pager, { agent: 'codex' }, top(pager, { agent: 'codex' }, PAGE), PAGE, PAGE);
    expect(w.rows.every((r) => r.agent === 'codex')).toBe(true);
    // seq % 5 == 2 is codex (FIXTURE_AGENTS order): consecutive codex rows are 5 apart.
    expect(FIXTURE_AGENTS[2]).toBe('codex');
    expect(w.rows.map((r) => r.seq)).toEqual(
      Array.from({ length: PAGE }, (_, i) => 999_997 - (PAGE + i) * 5),
    );
  });

  it('filters by human and by decision through their indexes', () => {
    expect(reader.plan({ human: 'local:bob@host', order: 'desc', limit: PAGE }).join('\n')).toMatch(
      /USING INDEX events_human/,
    );
    expect(reader.plan({ decision: 'deny', order: 'desc', limit: PAGE }).join('\n')).toMatch(
      /USING INDEX events_decision/,
    );
  });

  it('counts rows for the header without a scan', () => {
    expect(reader.stats()).toMatchObject({ rows: MILLION, firstSeq: 1, lastSeq: MILLION, deny: 100_000 });
  });
});

describe('window over a small log', () => {
  it('pages down and back up to exactly where it was', () => {
    const { path, writer } = writeLog(25);
    const reader = AuditReader.open(path);
    const start = top(reader, {}, 10);
    const down = move(reader, {}, start, 10, 10);
    expect(down.rows.map((r) => r.seq)).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6]);
    const end = move(reader, {}, down, 10, 10);
    // Past the oldest row the window stops at the end, selection on the same screen line.
    expect(end.rows.map((r) => r.seq)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    const back = move(reader, {}, move(reader, {}, end, -10, 10), -10, 10);
    expect(back.rows.map((r) => r.seq)).toEqual(start.rows.map((r) => r.seq));
    expect(newer(reader, {}, back, 10)).toBe(back);
    reader.close();
    writer.close();
  });
});
