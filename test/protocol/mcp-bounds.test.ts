import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkDepth,
  checkName,
  isRepresentableName,
  MAX_JSON_DEPTH,
  MAX_NAME_LENGTH,
  nestsDeeperThan,
} from '../../src/protocol/index.js';

const nested = (
  depth: number,
  leaf: unknown = 1,
  wrap: (inner: unknown) => unknown = (inner) => ({ a: inner }),
) => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = wrap(value);
  return value;
};

/** The depth by the definition, recursively: only for the small values of the property below. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe('nestsDeeperThan', () => {
  it.each([
    ['a scalar', 1, 0],
    ['null', null, 0],
    ['an empty array', [], 1],
    ['an empty object', {}, 1],
    ['objects 3 deep', nested(3), 3],
    ['arrays 3 deep', nested(3, 1, (v) => [v]), 3],
    ['mixed, deepest branch counts', { a: 1, b: [{ c: [] }], d: {} }, 4],
  ])('%s has depth %s', (_name, value, depth) => {
    expect(nestsDeeperThan(value, depth)).toBe(false);
    if (depth > 0) expect(nestsDeeperThan(value, depth - 1)).toBe(true);
  });

  it('measures a million levels without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`) as unknown;
    expect(nestsDeeperThan(deep, MAX_JSON_DEPTH)).toBe(true);
  });

  it('agrees with the recursive definition', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.nat(10), (value, limit) => {
        expect(nestsDeeperThan(value, limit)).toBe(depthOf(value) > limit);
      }),
    );
  });
});

describe('checkDepth', () => {
  it('passes a message at the limit and refuses one past it with ERR_MCP_MESSAGE_TOO_DEEP', () => {
    expect(checkDepth(nested(MAX_JSON_DEPTH), 'the message')).toBeNull();
    const error = checkDepth(nested(MAX_JSON_DEPTH + 1), 'the message');
    expect(error?.code).toBe('ERR_MCP_MESSAGE_TOO_DEEP');
    expect(error?.message).toContain(`${MAX_JSON_DEPTH} levels`);
  });
});

describe('checkName', () => {
  it.each([['read_file'], ['file:///home/me/notes.txt'], ['outil-é-😀'], ['x'.repeat(MAX_NAME_LENGTH)]])(
    'accepts %s',
    (name) => {
      expect(isRepresentableName(name)).toBe(true);
      expect(checkName(name, 'tool name')).toBeNull();
    },
  );

  it.each([
    ['a lone high surrogate', 'x\ud800', /lone UTF-16 surrogate/],
    ['a lone low surrogate', '\udc00', /lone UTF-16 surrogate/],
    ['a reversed pair', '\ude00\ud83d', /lone UTF-16 surrogate/],
    ['an empty name', '', /is empty/],
    ['an over-long name', 'x'.repeat(MAX_NAME_LENGTH + 1), /longer than 1024/],
    ['a number', 42, /not a string/],
  ])('refuses %s with ERR_MCP_NAME_INVALID', (_what, name, why) => {
    expect(isRepresentableName(name)).toBe(false);
    const error = checkName(name, 'tool name');
    expect(error?.code).toBe('ERR_MCP_NAME_INVALID');
    expect(error?.message).toMatch(why);
  });
});
