/**
 * Canonical JSON (RFC 8785 style) for the values an audit row holds: keys sorted by UTF-16 code
 * units, no whitespace, numbers and strings as ECMAScript's JSON.stringify writes them. The hash
 * chain is computed over this text, so the same row must always give the same bytes, whichever
 * order its keys were built in. Anything without one obvious JSON form (NaN, bigint, Date, Map,
 * cycles, ...) is refused rather than guessed, so a row can never hash differently on re-read.
 */
import { AgentIdError } from '../errors.js';

export function canonicalJson(value: unknown): string {
  const path: (string | number)[] = [];
  try {
    return write(value, path, new Set());
  } catch (err) {
    if (err instanceof Problem) {
      const where = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
      throw new AgentIdError('ERR_AUDIT_INVALID_EVENT', `audit event value $${where} ${err.message}`);
    }
    throw err;
  }
}

/** Thrown inside write; `path` still holds where it happened, because nothing pops on the way out. */
class Problem extends Error {}

function write(value: unknown, path: (string | number)[], ancestors: Set<object>): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Problem('is not a finite number');
    return JSON.stringify(value);
  }
  if (typeof value !== 'object') throw new Problem(`is of type ${typeof value}, which JSON cannot hold`);
  if (ancestors.has(value)) throw new Problem('is a cycle');
  ancestors.add(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      out += (i === 0 ? '' : ',') + write(value[i], path, ancestors);
      path.pop();
    }
    out += ']';
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new Problem('is not a plain object');
    out = '{';
    // Default sort compares UTF-16 code units, which is exactly RFC 8785's key order.
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      // Same as JSON.stringify: an absent optional field and an undefined one are the same object.
      if (member === undefined) continue;
      path.push(key);
      out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${write(member, path, ancestors)}`;
      path.pop();
    }
    out += '}';
  }
  ancestors.delete(value);
  return out;
}
