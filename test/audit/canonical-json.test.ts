import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/audit/index.js';
import { errorCode } from './helpers.js';

describe('canonicalJson', () => {
  it.each([
    ['null', null, 'null'],
    ['booleans', [true, false], '[true,false]'],
    ['integers', 42, '42'],
    ['negative zero as zero', -0, '0'],
    ['fractions, shortest round-trip form', 0.1 + 0.2, '0.30000000000000004'],
    ['large numbers in exponent form', 1e21, '1e+21'],
    ['small numbers in exponent form', 1e-7, '1e-7'],
    ['strings with JSON escapes', 'a"b\\c\n\u0001', '"a\\"b\\\\c\\n\\u0001"'],
    ['non-ASCII as is', 'é😀', '"é😀"'],
    ['lone surrogates escaped', '\ud800', '"\\ud800"'],
    ['empty containers', { a: [], b: {} }, '{"a":[],"b":{}}'],
    ['keys sorted', { b: 1, a: 2, c: 3 }, '{"a":2,"b":1,"c":3}'],
    ['nested keys sorted', { z: { y: 1, x: [{ b: 1, a: 2 }] } }, '{"z":{"x":[{"a":2,"b":1}],"y":1}}'],
    // RFC 8785 orders keys by UTF-16 code units, not code points: U+1F600 is the pair D83D DE00,
    // so it sorts before U+FFFF.
    ['keys by UTF-16 code units', { '\uffff': 2, '😀': 1, é: 3, E: 4 }, '{"E":4,"é":3,"😀":1,"\uffff":2}'],
    ['undefined members omitted', { a: undefined, b: null }, '{"b":null}'],
    ['null-prototype objects', Object.assign(Object.create(null), { b: 1, a: 2 }), '{"a":2,"b":1}'],
    ['array order kept', [3, 1, 2], '[3,1,2]'],
  ])('%s', (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('gives the same text whatever order the keys were built in', () => {
    expect(canonicalJson({ pid: 1, exe: 'x', cwd: '/' })).toBe(canonicalJson({ cwd: '/', exe: 'x', pid: 1 }));
  });

  it('reproduces its own output after a JSON round trip', () => {
    const text = canonicalJson({ n: 1e-7, s: '\ud800é', a: [0.1, -0, { y: true, x: null }] });
    expect(canonicalJson(JSON.parse(text))).toBe(text);
  });

  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  it.each([
    ['NaN', Number.NaN],
    ['Infinity', { a: Number.POSITIVE_INFINITY }],
    ['bigint', { a: 1n }],
    ['undefined at the top', undefined],
    ['undefined in an array', [undefined]],
    ['functions', { f: () => 1 }],
    ['symbols', Symbol('s')],
    ['Date', { at: new Date(0) }],
    ['Map', new Map()],
    ['cycles', cyclic],
  ])('refuses %s', (_name, value) => {
    expect(errorCode(() => canonicalJson(value))).toBe('ERR_AUDIT_INVALID_EVENT');
  });

  it('accepts the same object twice when it is not a cycle', () => {
    const shared = { a: 1 };
    expect(canonicalJson([shared, shared])).toBe('[{"a":1},{"a":1}]');
  });
});
