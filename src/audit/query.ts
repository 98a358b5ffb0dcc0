/**
 * AuditQuery to SQL. Every filter becomes a bound WHERE clause so SQLite (and its indexes) does
 * the filtering; rows are never fetched to be thrown away in JS. Pure, so the plan SQLite picks
 * for each shape can be tested.
 */
import { AgentIdError } from '../errors.js';
import { NOT_ALLOWED } from './schema.js';
import type { AuditQuery } from './types.js';

export interface SqlQuery {
  sql: string;
  params: (string | number)[];
}

export function buildQuery(q: AuditQuery): SqlQuery {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (q.since !== undefined) {
    if (Number.isNaN(q.since.getTime()))
      throw new AgentIdError('ERR_USAGE', 'audit query: since is not a valid date');
    const since = q.since.toISOString();
    // ISO 8601 UTC strings of one fixed width sort like the instants they name. Given `time >= ?`
    // and ORDER BY seq, SQLite walks the whole table in seq order rather than sort the index's
    // matches, so the time index first finds the smallest matching seq and the walk starts there.
    // Exact even if the clock stepped back: no matching row has a smaller seq. INDEXED BY because
    // on its own SQLite would answer min(seq) by walking the table from seq 1.
    where.push('seq >= (SELECT min(seq) FROM events INDEXED BY events_time WHERE time >= ?)', 'time >= ?');
    params.push(since, since);
  }
  for (const column of ['agent', 'human', 'decision', 'action'] as const) {
    const value = q[column];
    if (value === undefined) continue;
    where.push(`${column} = ?`);
    params.push(value);
    if (column === 'decision' && value !== 'allow') where.push(NOT_ALLOWED);
  }
  for (const [key, op] of [
    ['afterSeq', '>'],
    ['beforeSeq', '<'],
  ] as const) {
    const cursor = q[key];
    if (cursor === undefined) continue;
    if (!Number.isSafeInteger(cursor))
      throw new AgentIdError('ERR_USAGE', `audit query: ${key} must be an integer`);
    // On the rowid, so with an equality filter SQLite still walks one index range in seq order.
    where.push(`seq ${op} ?`);
    params.push(cursor);
  }
  let sql = 'SELECT * FROM events';
  if (where.length > 0) sql += ` WHERE ${where.join(' AND ')}`;
  sql += ` ORDER BY seq ${q.order === 'desc' ? 'DESC' : 'ASC'}`;
  if (q.limit !== undefined) {
    if (!Number.isSafeInteger(q.limit) || q.limit < 0) {
      throw new AgentIdError('ERR_USAGE', 'audit query: limit must be a non-negative integer');
    }
    sql += ' LIMIT ?';
    params.push(q.limit);
  }
  return { sql, params };
}
