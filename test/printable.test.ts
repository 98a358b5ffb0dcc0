import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorLine, printable, printableLines } from '../src/printable.js';

/** What must never reach a terminal raw: the classes printable.ts names, checked code by code. */
function hasDangerous(text: string): boolean {
  const bidi = [0x061c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e];
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
    if (bidi.includes(code) || (code >= 0x2066 && code <= 0x2069)) return true;
    // Iterating by code point, a surrogate on its own is a lone one.
    if (code >= 0xd800 && code <= 0xdfff) return true;
  }
  return false;
}

describe('printable', () => {
  it.each([
    ['terminal title and clear screen', '\x1b]0;title\x07\x1b[2J', '\\x1b]0;title\\x07\\x1b[2J'],
    ['8-bit CSI', 'a\u009b31mb', 'a\\x9b31mb'],
    ['newline, tab, carriage return', 'a\nb\tc\rd', 'a\\x0ab\\x09c\\x0dd'],
    ['DEL and NUL', '\x7f\x00', '\\x7f\\x00'],
    ['bidi override', 'evil\u202etxt.exe', 'evil\\u202etxt.exe'],
    ['line separator', 'a\u2028b', 'a\\u2028b'],
    ['lone surrogate', 'x\ud800y', 'x\\ud800y'],
  ])('escapes %s', (_name, input, shown) => {
    expect(printable(input)).toBe(shown);
  });

  it.each([
    ['a path', '/home/me/src/app'],
    ['non-ASCII letters', 'café/日本語'],
    ['an emoji (a surrogate pair, not a lone one)', 'tool-😀'],
    ['a backslash', 'C:\\temp'],
  ])('leaves %s unchanged', (_name, text) => {
    expect(printable(text)).toBe(text);
  });

  it('the check below finds what it must', () => {
    expect(hasDangerous('\x1b')).toBe(true);
    expect(hasDangerous('\ud800')).toBe(true);
    expect(hasDangerous('ok 😀')).toBe(false);
  });

  it('leaves nothing dangerous in any string, and escaping twice changes nothing more', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const once = printable(text);
        expect(hasDangerous(once)).toBe(false);
        expect(printable(once)).toBe(once);
      }),
    );
  });

  it('joins lines so that no value adds a line', () => {
    expect(printableLines(['cwd: /tmp/a\nforged: line', 'next'])).toBe(
      'cwd: /tmp/a\\x0aforged: line\nnext\n',
    );
  });

  it('reports an error on one escaped line', () => {
    expect(errorLine({ code: 'ERR_USAGE', message: 'bad \x1b[2J\nname' })).toBe(
      'agentid: bad \\x1b[2J\\x0aname (ERR_USAGE)\n',
    );
  });
});
