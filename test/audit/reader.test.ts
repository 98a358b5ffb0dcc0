import { existsSync, readFileSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AuditQuery, AuditReader, AuditWriter } from '../../src/audit/index.js';
import { buildQuery } from '../../src/audit/query.js';
import { errorCode, event, steppingDeps, tempDbPath } from './helpers.js';

describe('AuditReader.open', () => {
  it('says there is no audit log yet when the file does not exist', () => {
    const path = tempDbPath();
    expect(errorCode(() => AuditReader.open(path))).toBe('ERR_AUDIT_UNAVAILABLE');
    expect(() => AuditReader.open(path)).toThrow(`no audit log at ${path} yet`);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a file that is not an audit log', () => {
    const path = tempDbPath();
    new Database(path).close();
    expect(() => AuditReader.open(path)).toThrow(/schema version 0, expected 3/);
  });

  it('reads a closed log without changing it', () => {
    const path = tempDbPath();
    const writer = AuditWriter.open(path, steppingDeps());
    writer.append(event());
    writer.close();
    const before = readFileSync(path);

    const reader = AuditReader.open(path);
    expect(reader.query({}).map((r) => r.seq)).toEqual([1]);
    expect(reader.verify().ok).toBe(true);
    reader.close();

    expect(readFileSync(path).equals(before)).toBe(true);
    // A reader may create the WAL side files of a closed log; SQLite gives them the database's mode.
    for (const file of [path, `${path}-wal`, `${path}-shm`].filter((f) => existsSync(f))) {
      expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    }
  });
});

describe('AuditReader with a writer open', () => {
  it('reads and verifies while the writer keeps appending', () => {
    const path = tempDbPath();
    const writer = AuditWriter.open(path, steppingDeps());
    writer.append(event());
    const reader = AuditReader.open(path);
    expect(reader.query({}).map((r) => r.seq)).toEqual([1]);

    for (let i = 0; i < 200; i++) writer.append(event());
    expect(reader.query({ order: 'desc', limit: 1 })[0]?.seq).toBe(201);
    expect(reader.verify()).toEqual({ ok: true, rows: 201, lastSeq: 201 });
    writer.append(event());
    expect(reader.verify()).toEqual({ ok: true, rows: 202, lastSeq: 202 });

    reader.close();
    writer.close();
  });
});

describe('AuditReader.query', () => {
  let path: string;
  let reader: AuditReader;

  // Twelve rows, one second apart from 12:00:00: agents alternate claude/cursor, every third is a
  // deny, actions cycle jwt/aws/git.
  beforeEach(() => {
    path = tempDbPath();
    const writer = AuditWriter.open(path, steppingDeps('2025-06-01T12:00:00.000Z'));
    for (let i = 0; i < 12; i++) {
      writer.append(
        event({
          agent: i % 2 === 0 ? 'claude' : 'cursor',
          decision: i % 3 === 2 ? 'deny' : 'allow',
          action: ['jwt', 'aws', 'git'][i % 3] ?? 'jwt',
        }),
      );
    }
    writer.close();
    reader = AuditReader.open(path);
  });
  afterEach(() => reader.close());

  const seqs = (q: AuditQuery) => reader.query(q).map((r) => r.seq);

  it('returns every row in seq order by default', () => {
    expect(seqs({})).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it.each<[string, AuditQuery, number[]]>([
    ['since (inclusive)', { since: new Date('2025-06-01T12:00:09.000Z') }, [10, 11, 12]],
    ['since between rows', { since: new Date('2025-06-01T12:00:08.500Z') }, [10, 11, 12]],
    ['since after the last row', { since: new Date('2025-06-01T13:00:00.000Z') }, []],
    ['agent', { agent: 'cursor' }, [2, 4, 6, 8, 10, 12]],
    ['decision', { decision: 'deny' }, [3, 6, 9, 12]],
    ['action', { action: 'aws' }, [2, 5, 8, 11]],
    ['an unknown agent', { agent: 'nobody' }, []],
    ['limit', { limit: 2 }, [1, 2]],
    ['limit 0', { limit: 0 }, []],
    ['order desc', { order: 'desc', limit: 3 }, [12, 11, 10]],
    ['filters combined', { agent: 'cursor', decision: 'deny' }, [6, 12]],
    [
      'everything',
      { since: new Date('2025-06-01T12:00:03.000Z'), agent: 'claude', order: 'desc', limit: 2 },
      [11, 9],
    ],
  ])('filters by %s', (_name, q, expected) => {
    expect(seqs(q)).toEqual(expected);
  });

  it('filters by since exactly even after the clock stepped back', () => {
    const stepped = tempDbPath();
    const times = ['12:00:00', '12:00:01', '11:00:00', '12:00:02', '11:30:00'];
    const clock = times.map((t) => new Date(`2025-06-01T${t}.000Z`));
    const writer = AuditWriter.open(stepped, { ...steppingDeps(), now: () => clock.shift() ?? new Date(0) });
    for (const _ of times) writer.append(event());
    writer.close();
    const r = AuditReader.open(stepped);
    expect(r.query({ since: new Date('2025-06-01T12:00:01.000Z') }).map((row) => row.seq)).toEqual([2, 4]);
    expect(
      r.query({ since: new Date('2025-06-01T11:15:00.000Z'), order: 'desc' }).map((row) => row.seq),
    ).toEqual([5, 4, 2, 1]);
    r.close();
  });

  it('treats filter values as data, not SQL', () => {
    expect(seqs({ agent: "claude' OR '1'='1" })).toEqual([]);
  });

  it('refuses a bad limit or date', () => {
    expect(errorCode(() => reader.query({ limit: -1 }))).toBe('ERR_USAGE');
    expect(errorCode(() => reader.query({ limit: 1.5 }))).toBe('ERR_USAGE');
    expect(errorCode(() => reader.query({ since: new Date('nope') }))).toBe('ERR_USAGE');
  });

  it.each<[string, AuditQuery]>([
    ['events_time', { since: new Date('2025-06-01T12:00:09.000Z') }],
    ['events_time', { since: new Date('2025-06-01T12:00:09.000Z'), order: 'desc', limit: 5 }],
    ['events_agent', { agent: 'claude', order: 'desc', limit: 5 }],
    ['events_decision', { decision: 'deny' }],
    ['events_action', { action: 'git' }],
  ])('answers from the %s index: %j', (index, q) => {
    const db = new Database(path, { readonly: true });
    const { sql, params } = buildQuery(q);
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...params)
      .map((step) => (step as { detail: string }).detail);
    db.close();
    expect(plan.join('\n')).toContain(`INDEX ${index} (`);
    // The filter's index or the rowid delivers seq order; no sort of the result is needed.
    expect(plan.join('\n')).not.toContain('TEMP B-TREE');
  });
});
