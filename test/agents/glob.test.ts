/** The hand-written glob matcher of the cmdline and repo selectors: syntax, both modes, bounds. */
import { describe, expect, it } from 'vitest';
import {
  compileGlob,
  type Glob,
  globsDisjoint,
  matchGlob,
  maxGlobPatternLength,
  maxGlobTextLength,
} from '../../src/agents/glob.js';

function glob(pattern: string, pathSeparators: boolean): Glob {
  const compiled = compileGlob(pattern, { pathSeparators });
  if (!compiled.ok) throw new Error(`${pattern}: ${compiled.error}`);
  return compiled.glob;
}

const plain = (pattern: string, text: string) => matchGlob(glob(pattern, false), text);
const path = (pattern: string, text: string) => matchGlob(glob(pattern, true), text);

describe('matchGlob without path separators (cmdline)', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'abcd', false],
    ['abc', 'ab', false],
    ['', '', true],
    ['', 'a', false],
    ['*', '', true],
    ['*', 'node /usr/lib/claude/cli.js --print', true],
    ['node */claude/*', 'node /usr/lib/claude/cli.js', true],
    ['node */claude/*', 'python /usr/lib/claude/cli.js', false],
    ['**', 'a/b/c', true],
    ['*claude*', '/opt/bin/claude --resume', true],
    ['*claude', '/opt/bin/claude --resume', false],
    ['a?c', 'abc', true],
    ['a?c', 'a/c', true],
    ['a?c', 'ac', false],
    ['?', '😀', true],
    ['[abc]x', 'bx', true],
    ['[abc]x', 'dx', false],
    ['[a-c]', 'b', true],
    ['[a-c]', 'd', false],
    ['[!a-c]', 'd', true],
    ['[^a-c]', 'a', false],
    ['[]]', ']', true],
    ['[!]]', ']', false],
    ['[a-]', '-', true],
    ['[\\]]', ']', true],
    ['[/]', '/', true],
    ['\\*', '*', true],
    ['\\*', 'x', false],
    ['\\[a]', '[a]', true],
    ['a\\?', 'a?', true],
    ['a\\?', 'ab', false],
    ['*.js --flag', 'node x.js --flag', true],
  ])('%j on %j: %s', (pattern, text, expected) => {
    expect(plain(pattern, text)).toBe(expected);
  });
});

describe('matchGlob with path separators (repo)', () => {
  it.each([
    ['https://github.com/acme/*', 'https://github.com/acme/api.git', true],
    ['https://github.com/acme/*', 'https://github.com/acme/api/extra', false],
    ['https://*.example.com/*', 'https://git.example.com/repo', true],
    ['https://*.example.com/*', 'https://evil.com/x.example.com/repo', false],
    ['git@github.com:acme/*.git', 'git@github.com:acme/api.git', true],
    ['https://github.com/**', 'https://github.com/acme/api.git', true],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**/b', 'a/xb', false],
    ['**/b', 'b', true],
    ['**/b', 'x/y/b', true],
    ['a/**', 'a/', true],
    ['a/**', 'a', false],
    ['a**b', 'a/x/b', true],
    ['a?b', 'a/b', false],
    ['a[/x]b', 'a/b', false],
    ['a[!x]b', 'a/b', false],
    ['a[!x]b', 'a-b', true],
    ['a***b', 'a/b', true],
  ])('%j on %j: %s', (pattern, text, expected) => {
    expect(path(pattern, text)).toBe(expected);
  });
});

describe('compileGlob', () => {
  it.each([
    ['[a-', 'unclosed character class'],
    ['[abc', 'unclosed character class'],
    ['[', 'unclosed character class'],
    ['[]', 'unclosed character class'],
    ['[\\', 'unclosed character class'],
    ['[z-a]', 'bad range "z-a" in character class'],
    ['abc\\', 'trailing backslash'],
    ['x'.repeat(maxGlobPatternLength + 1), `longer than ${maxGlobPatternLength} characters`],
  ])('refuses %j: %s', (pattern, error) => {
    expect(compileGlob(pattern, { pathSeparators: false })).toEqual({ ok: false, error });
  });

  it('knows the one string a wildcard-free glob matches', () => {
    expect(glob('a\\*b', false).literal).toBe('a*b');
    expect(glob('a*b', false).literal).toBeNull();
  });
});

describe('bounds', () => {
  // A backtracking matcher takes exponential time on these; the NFA finishes them in one pass.
  it.each([
    ['*a'.repeat(30), `${'a'.repeat(5000)}b`, false],
    [`${'*a'.repeat(30)}*`, 'a'.repeat(5000), true],
    [`${'a*'.repeat(60)}b`, 'a'.repeat(20_000), false],
    [`${'**/'.repeat(40)}x`, `${'a/'.repeat(3000)}y`, false],
    [`${'?'.repeat(200)}*[!a]`, 'a'.repeat(maxGlobTextLength), false],
  ])('pathological %#: %s', (pattern, text, expected) => {
    expect(plain(pattern, text)).toBe(expected);
    expect(path(pattern, text)).toBe(expected);
  });

  it('never matches text beyond the length cap', () => {
    expect(plain('*', 'a'.repeat(maxGlobTextLength))).toBe(true);
    expect(plain('*', 'a'.repeat(maxGlobTextLength + 1))).toBe(false);
  });
});

describe('globsDisjoint', () => {
  it.each([
    ['claude', 'codex', true],
    ['claude', 'claude', false],
    ['claude', 'cl*', false],
    ['codex', 'cl*', true],
    ['https://github.com/acme/*', 'https://github.com/other/*', true],
    ['https://github.com/acme/*', 'https://github.com/*', false],
    ['*.git', '*.tar', true],
    ['*.git', '*', false],
    ['a*x', 'b*', true],
    ['*b', 'a*', false],
    ['[ab]*', 'c*', false],
  ])('%j and %j (plain): %s', (a, b, expected) => {
    expect(globsDisjoint(glob(a, false), glob(b, false))).toBe(expected);
    expect(globsDisjoint(glob(b, false), glob(a, false))).toBe(expected);
  });

  it('does not trust the "/" after a whole-segment **, which may match nothing', () => {
    // Both match "b": `**/b` swallows its slash.
    expect(globsDisjoint(glob('**/b', true), glob('b*', true))).toBe(false);
    expect(path('**/b', 'b')).toBe(true);
  });
});

/**
 * A reference matcher for the differential test: the obvious recursion over the pattern text,
 * memoized. Pieces: a b / * ** ? [ab] [!a].
 */
function reference(pattern: string, text: string, pathSeparators: boolean): boolean {
  const memo = new Map<number, boolean>();
  const at = (p: number, t: number): boolean => {
    const key = p * (text.length + 1) + t;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const result = step(p, t);
    memo.set(key, result);
    return result;
  };
  const step = (p: number, t: number): boolean => {
    if (p === pattern.length) return t === text.length;
    const c = pattern[p];
    if (c === '*') {
      let end = p;
      while (pattern[end] === '*') end++;
      const crosses = !pathSeparators || end - p >= 2;
      const wholeSegment =
        pathSeparators && end - p >= 2 && (p === 0 || pattern[p - 1] === '/') && pattern[end] === '/';
      if (wholeSegment && at(end + 1, t)) return true;
      for (let k = t; ; k++) {
        if (at(end, k)) return true;
        if (k === text.length || (!crosses && text[k] === '/')) return false;
      }
    }
    if (t === text.length) return false;
    const ch = text[t] as string;
    if (c === '?') return !(pathSeparators && ch === '/') && at(p + 1, t + 1);
    if (c === '[') {
      const close = pattern.indexOf(']', p + 2);
      const body = pattern.slice(p + 1, close);
      const negated = body.startsWith('!');
      const members = negated ? body.slice(1) : body;
      const ok = !(pathSeparators && ch === '/') && members.includes(ch) !== negated;
      return ok && at(close + 1, t + 1);
    }
    return c === ch && at(p + 1, t + 1);
  };
  return at(0, 0);
}

describe('differential test against a reference matcher', () => {
  // A fixed-seed generator: the same cases on every run.
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const pick = <T>(items: readonly T[]): T => items[random(items.length)] as T;
  const pieces = ['a', 'b', '/', '*', '**', '?', '[ab]', '[!a]', '/**/', '**/'];
  const texts: string[] = [''];
  for (let length = 1; length <= 6; length++) {
    for (const prefix of texts.filter((t) => t.length === length - 1)) {
      for (const ch of ['a', 'b', '/']) texts.push(prefix + ch);
    }
  }

  it.each([false, true])(
    'agrees on 300 random patterns against every text up to 6 characters (pathSeparators %s)',
    (mode) => {
      for (let n = 0; n < 300; n++) {
        const pattern = Array.from({ length: 1 + random(5) }, () => pick(pieces)).join('');
        const compiled = glob(pattern, mode);
        for (const text of texts) {
          const expected = reference(pattern, text, mode);
          if (matchGlob(compiled, text) !== expected) {
            expect({ pattern, text, matched: !expected }).toEqual({ pattern, text, matched: expected });
          }
        }
      }
    },
  );

  // Long patterns span several 32-bit words of NFA state; texts are built from the pattern so that
  // about half of them match.
  it.each([false, true])('agrees on long patterns (pathSeparators %s)', (mode) => {
    const fill: Record<string, () => string> = {
      '*': () => Array.from({ length: random(4) }, () => pick(mode ? ['a', 'b'] : ['a', 'b', '/'])).join(''),
      '**': () => Array.from({ length: random(4) }, () => pick(['a', 'b', '/'])).join(''),
      '?': () => pick(['a', 'b']),
      '[ab]': () => pick(['a', 'b']),
      '[!a]': () => 'b',
      // Without path separators a ** is a *: it cannot also swallow a `/`.
      '/**/': () => pick([mode ? '/' : '//', '/a/', '/b/a/']),
      '**/': () => pick([mode ? '' : '/', 'a/', 'b/a/']),
    };
    let matched = 0;
    for (let n = 0; n < 200; n++) {
      const parts = Array.from({ length: 30 + random(40) }, () => pick(pieces));
      const pattern = parts.join('');
      let text = parts.map((part) => fill[part]?.() ?? part).join('');
      if (random(2) === 0) {
        const k = random(text.length + 1);
        text = text.slice(0, k) + pick(['a', 'b', '/']) + text.slice(k + 1);
      }
      const expected = reference(pattern, text, mode);
      if (expected) matched++;
      if (matchGlob(glob(pattern, mode), text) !== expected) {
        expect({ pattern, text, matched: !expected }).toEqual({ pattern, text, matched: expected });
      }
    }
    expect(matched).toBeGreaterThan(40);
  });

  it.each([false, true])(
    'never calls two globs disjoint when a text matches both (pathSeparators %s)',
    (mode) => {
      for (let n = 0; n < 300; n++) {
        const [a, b] = [0, 1].map(() => Array.from({ length: 1 + random(4) }, () => pick(pieces)).join(''));
        const [globA, globB] = [glob(a as string, mode), glob(b as string, mode)];
        if (!globsDisjoint(globA, globB)) continue;
        const both = texts.find((t) => matchGlob(globA, t) && matchGlob(globB, t));
        expect({ a, b, both }).toEqual({ a, b, both: undefined });
      }
    },
  );
});
