/**
 * Canonical JSON (RFC 8785 style) for the values an audit row holds: keys sorted by UTF-16 code
 * units, no whitespace, numbers and strings as ECMAScript's JSON.stringify writes them. The hash
 * chain is computed over this text, so the same row must always give the same bytes, whichever
 * order its keys were built in. Anything without one obvious JSON form (NaN, bigint, Date, Map,
 * cycles, ...) is refused rather than guessed, so a row can never hash differently on re-read.
 */
import { AgentIdError } from '../errors.js';

export function canonicalJson(value: unknown): string {
  return write(value, '$', new Set());
}

function write(value: unknown, path: string, ancestors: Set<object>): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(path, 'is not a finite number');
    return JSON.stringify(value);
  }
  if (typeof value !== 'object') throw invalid(path, `is of type ${typeof value}, which JSON cannot hold`);
  if (ancestors.has(value)) throw invalid(path, 'is a cycle');
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      return `[${value.map((item, i) => write(item, `${path}[${i}]`, ancestors)).join(',')}]`;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw invalid(path, 'is not a plain object');
    const members: string[] = [];
    // Default sort compares UTF-16 code units, which is exactly RFC 8785's key order.
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      // Same as JSON.stringify: an absent optional field and an undefined one are the same object.
      if (member === undefined) continue;
      members.push(`${JSON.stringify(key)}:${write(member, `${path}.${key}`, ancestors)}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}

function invalid(path: string, problem: string): AgentIdError {
  return new AgentIdError('ERR_AUDIT_INVALID_EVENT', `audit event value ${path} ${problem}`);
}
