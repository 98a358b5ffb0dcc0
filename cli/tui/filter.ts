/**
 * The TUI's filter: what `/` reads (`agent:claude decision:deny since:1h`) and what the flags give,
 * as the AuditQuery fields the reader turns into indexed SQL. Pure, with table tests.
 */
import type { AuditQuery, Decision } from '../../src/audit/index.js';
import { AgentIdError } from '../../src/errors.js';
import { parseSince } from '../parse-since.js';

export type AuditFilter = Pick<AuditQuery, 'agent' | 'human' | 'decision' | 'action' | 'since'>;

export const DECISIONS: readonly Decision[] = ['allow', 'deny', 'error'];

const KEYS = ['agent', 'user', 'decision', 'action', 'since'] as const;
type FilterKey = (typeof KEYS)[number];

/** One filter field from its flag or `/` key; throws ERR_USAGE naming what is wrong. */
export function setFilterField(filter: AuditFilter, key: FilterKey, value: string, now: Date): void {
  if (value === '') throw new AgentIdError('ERR_USAGE', `filter ${key}: needs a value`);
  switch (key) {
    case 'agent':
      filter.agent = value;
      break;
    case 'user':
      filter.human = value;
      break;
    case 'action':
      filter.action = value;
      break;
    case 'decision':
      if (!DECISIONS.includes(value as Decision)) {
        throw new AgentIdError('ERR_USAGE', `decision must be one of ${DECISIONS.join(', ')}`);
      }
      filter.decision = value as Decision;
      break;
    case 'since':
      filter.since = parseSince(value, now);
      break;
  }
}

/** `key:value` terms separated by spaces; the value runs to the next space (a human's `local:a@h` too). */
export function parseFilter(text: string, now: Date): AuditFilter {
  const filter: AuditFilter = {};
  for (const term of text.trim().split(/\s+/).filter(Boolean)) {
    const colon = term.indexOf(':');
    const key = term.slice(0, colon) as FilterKey;
    if (colon < 1 || !KEYS.includes(key)) {
      throw new AgentIdError(
        'ERR_USAGE',
        `"${term}" is not a filter; use ${KEYS.map((k) => `${k}:`).join(' ')}`,
      );
    }
    setFilterField(filter, key, term.slice(colon + 1), now);
  }
  return filter;
}

/** The filter as `/` would read it back, for the header and as the starting text of an edit. */
export function formatFilter(filter: AuditFilter): string {
  const terms: string[] = [];
  if (filter.agent !== undefined) terms.push(`agent:${filter.agent}`);
  if (filter.human !== undefined) terms.push(`user:${filter.human}`);
  if (filter.decision !== undefined) terms.push(`decision:${filter.decision}`);
  if (filter.action !== undefined) terms.push(`action:${filter.action}`);
  if (filter.since !== undefined) terms.push(`since:${filter.since.toISOString()}`);
  return terms.join(' ');
}
