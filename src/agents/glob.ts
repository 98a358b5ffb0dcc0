/**
 * The glob matcher of the `cmdline` and `repo` selectors. Hand-written: Node 20's
 * path.matchesGlob is experimental (it prints an ExperimentalWarning) and no glob library is a
 * dependency. No RegExp is ever built from a pattern. A pattern compiles to tokens, and the tokens
 * run as a bit-parallel NFA (Shift-And, extended with stars): one pass over the text, a fixed
 * number of operations on ⌈pattern/32⌉ words per character (plus a range check per class),
 * never any backtracking, so `*a*a*a*a*b` against `aaaa…` costs what any pattern of its length
 * costs. With both lengths capped, the worst match takes a few milliseconds.
 *
 * Syntax: `?` one character, `*` a run of characters, `[abc]` `[a-z]` `[!a]` `[^a]` one character
 * of a class (`]` first in a class is literal), `\x` the character x. Matching is case-sensitive,
 * on the whole string, per Unicode code point.
 *
 * With `pathSeparators` (the `repo` selector: URLs like https://host/org/name.git) `*`, `?` and
 * classes never match `/` and `**` matches any run including `/`, so `https://github.com/acme/*`
 * cannot reach into another host or path level. A `**` that is a whole segment (`/**\/`, or `**\/`
 * at the start) also matches no segment at all, as in gitignore: `a/**\/b` matches `a/b`.
 * Without it (the `cmdline` selector: argv joined by spaces, full of paths) `/` is an ordinary
 * character and `**` means the same as `*`.
 */

/** Longest pattern accepted, in code points. */
export const maxGlobPatternLength = 256;
/**
 * Longest text matched, in UTF-16 code units: longer text never matches. It bounds the cost of a
 * match (a caller controls its own argv) and no sane selector needs to see past it.
 */
export const maxGlobTextLength = 64 * 1024;

const slash = 0x2f;

type ClassToken = { kind: 'class'; negated: boolean; ranges: Array<readonly [number, number]> };

type Token =
  | { kind: 'char'; code: number }
  | { kind: 'any' }
  | ClassToken
  /** `skipsSlash`: a whole-segment `**`, which may also swallow the `/` token after it. */
  | { kind: 'star'; crossesSlash: boolean; skipsSlash: boolean };

export interface Glob {
  readonly source: string;
  readonly pathSeparators: boolean;
  readonly tokens: readonly Token[];
  /** The one string the glob matches when it has no wildcard at all, else null. */
  readonly literal: string | null;
  readonly masks: Masks;
}

export interface GlobOptions {
  pathSeparators: boolean;
}

export type GlobResult = { ok: true; glob: Glob } | { ok: false; error: string };

export function compileGlob(source: string, options: GlobOptions): GlobResult {
  const chars = Array.from(source, (ch) => ch.codePointAt(0) ?? 0);
  if (chars.length > maxGlobPatternLength) {
    return { ok: false, error: `longer than ${maxGlobPatternLength} characters` };
  }
  const tokens: Token[] = [];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i] as number;
    if (c === 0x5c /* \ */) {
      const escaped = chars[i + 1];
      if (escaped === undefined) return { ok: false, error: 'trailing backslash' };
      tokens.push({ kind: 'char', code: escaped });
      i += 2;
    } else if (c === 0x3f /* ? */) {
      tokens.push({ kind: 'any' });
      i += 1;
    } else if (c === 0x2a /* * */) {
      let end = i;
      while (chars[end] === 0x2a) end += 1;
      const double = end - i >= 2;
      const crossesSlash = !options.pathSeparators || double;
      const skipsSlash =
        options.pathSeparators && double && (i === 0 || chars[i - 1] === slash) && chars[end] === slash;
      const [beforeSlash, previous] = [tokens.at(-2), tokens.at(-1)];
      if (skipsSlash && beforeSlash?.kind === 'star' && beforeSlash.skipsSlash && previous?.kind === 'char') {
        // `**/**/` is `**/`. Dropping the repeat also keeps every skip from landing on another
        // skip, which the match relies on.
        i = end + 1;
        continue;
      }
      // A run of stars is one token (`***` is `**`), so no star is ever next to another.
      tokens.push({ kind: 'star', crossesSlash, skipsSlash });
      i = end;
    } else if (c === 0x5b /* [ */) {
      const parsed = parseClass(chars, i + 1);
      if ('error' in parsed) return { ok: false, error: parsed.error };
      tokens.push(parsed.token);
      i = parsed.end;
    } else {
      tokens.push({ kind: 'char', code: c });
      i += 1;
    }
  }
  const literal = tokens.every((t) => t.kind === 'char') ? codesToString(tokens) : null;
  const { pathSeparators } = options;
  return { ok: true, glob: { source, pathSeparators, tokens, literal, masks: compileMasks(tokens) } };
}

function parseClass(
  chars: readonly number[],
  start: number,
): { token: Token; end: number } | { error: string } {
  let i = start;
  const negated = chars[i] === 0x21 /* ! */ || chars[i] === 0x5e; /* ^ */
  if (negated) i += 1;
  const ranges: Array<readonly [number, number]> = [];
  let first = true;
  for (;;) {
    let c = chars[i];
    if (c === undefined) return { error: 'unclosed character class' };
    if (c === 0x5d /* ] */ && !first) return { token: { kind: 'class', negated, ranges }, end: i + 1 };
    first = false;
    if (c === 0x5c) {
      i += 1;
      c = chars[i];
      if (c === undefined) return { error: 'unclosed character class' };
    }
    i += 1;
    let high = c;
    if (chars[i] === 0x2d /* - */ && chars[i + 1] !== undefined && chars[i + 1] !== 0x5d) {
      i += 1;
      if (chars[i] === 0x5c) i += 1;
      const end = chars[i];
      if (end === undefined) return { error: 'unclosed character class' };
      if (end < c) {
        return {
          error: `bad range "${String.fromCodePoint(c)}-${String.fromCodePoint(end)}" in character class`,
        };
      }
      high = end;
      i += 1;
    }
    ranges.push([c, high]);
  }
}

/**
 * State s of the NFA is "before token s"; state tokens.length accepts. A set of states is a bit
 * set of ⌈(tokens + 1)/32⌉ words, and every mask here is such a set.
 */
interface Masks {
  words: number;
  accepting: number;
  /** Per code point: the char tokens that are that code point. */
  chars: Map<number, Uint32Array>;
  any: Uint32Array;
  classes: Array<{ state: number; token: ClassToken }>;
  stars: Uint32Array;
  /** Stars that read `/` too: all of them without path separators, only `**` with. */
  slashStars: Uint32Array;
  skips: Uint32Array;
}

function compileMasks(tokens: readonly Token[]): Masks {
  const words = Math.ceil((tokens.length + 1) / 32);
  const set = () => new Uint32Array(words);
  const masks: Masks = {
    words,
    accepting: tokens.length,
    chars: new Map(),
    any: set(),
    classes: [],
    stars: set(),
    slashStars: set(),
    skips: set(),
  };
  for (const [state, token] of tokens.entries()) {
    if (token.kind === 'char') {
      const mask = masks.chars.get(token.code) ?? set();
      masks.chars.set(token.code, mask);
      addState(mask, state);
    } else if (token.kind === 'any') {
      addState(masks.any, state);
    } else if (token.kind === 'class') {
      masks.classes.push({ state, token });
    } else {
      addState(masks.stars, state);
      if (token.crossesSlash) addState(masks.slashStars, state);
      if (token.skipsSlash) addState(masks.skips, state);
    }
  }
  return masks;
}

function addState(set: Uint32Array, state: number): void {
  set[state >>> 5] = ((set[state >>> 5] ?? 0) | (1 << (state & 31))) >>> 0;
}

function hasState(set: Uint32Array, state: number): boolean {
  return (((set[state >>> 5] ?? 0) >>> (state & 31)) & 1) === 1;
}

export function matchGlob(glob: Glob, text: string): boolean {
  if (text.length > maxGlobTextLength) return false;
  const m = glob.masks;
  const noSlash = glob.pathSeparators;
  const [current, reads, arrived] = [
    new Uint32Array(m.words),
    new Uint32Array(m.words),
    new Uint32Array(m.words),
  ];
  addState(arrived, 0);
  closeOver(m, arrived, current);
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i) ?? 0;
    if (c > 0xffff) i++;
    const isSlash = c === slash;
    // reads: the states whose token accepts c.
    reads.fill(0);
    const chars = m.chars.get(c);
    if (chars) or(reads, chars);
    if (!(noSlash && isSlash)) {
      or(reads, m.any);
      for (const { state, token } of m.classes) if (classAccepts(token, c)) addState(reads, state);
    }
    const stars = isSlash ? m.slashStars : m.stars;
    // A star that reads c stays where it is; every other state that reads c moves one token on.
    // What moves on arrives, and an arrival also reaches what lies past it without reading.
    let any = 0;
    for (let w = m.words - 1; w >= 0; w--) {
      const stay = (current[w] ?? 0) & (stars[w] ?? 0);
      const move = ((current[w] ?? 0) & (reads[w] ?? 0)) | stay;
      const carry = w > 0 ? ((current[w - 1] ?? 0) & ((reads[w - 1] ?? 0) | (stars[w - 1] ?? 0))) >>> 31 : 0;
      arrived[w] = ((move << 1) | carry) >>> 0;
      current[w] = stay;
      any |= stay | (arrived[w] ?? 0);
    }
    if (any === 0) return false;
    closeOver(m, arrived, current);
  }
  return hasState(current, m.accepting);
}

/**
 * current |= arrived and all it reaches without reading: the token after an arrived-at star
 * (the star matches nothing), and two tokens on for a whole-segment `**` (it matches no segment,
 * nor the `/` after it). Only an arrival offers the skip, not a star that stays after reading,
 * or `a/**\/b` would match `a/xb`. Stars are never adjacent and a skip never lands on another
 * skip, so two rounds reach everything.
 */
function closeOver(m: Masks, arrived: Uint32Array, current: Uint32Array): void {
  for (let round = 0; round < 2; round++) {
    let carry1 = 0;
    let carry2 = 0;
    for (let w = 0; w < m.words; w++) {
      const a = arrived[w] ?? 0;
      const starred = a & (m.stars[w] ?? 0);
      const skipped = a & (m.skips[w] ?? 0);
      current[w] = ((current[w] ?? 0) | a) >>> 0;
      arrived[w] = ((starred << 1) | carry1 | (skipped << 2) | carry2) >>> 0;
      carry1 = starred >>> 31;
      carry2 = skipped >>> 30;
    }
  }
  for (let w = 0; w < m.words; w++) current[w] = ((current[w] ?? 0) | (arrived[w] ?? 0)) >>> 0;
}

function or(into: Uint32Array, from: Uint32Array): void {
  for (let w = 0; w < into.length; w++) into[w] = ((into[w] ?? 0) | (from[w] ?? 0)) >>> 0;
}

function classAccepts(token: ClassToken, c: number): boolean {
  return token.ranges.some(([low, high]) => c >= low && c <= high) !== token.negated;
}

/**
 * True only when no string can match both globs; false means "may overlap". Sound, not
 * complete: it compares the literal text before the first and after the last wildcard.
 */
export function globsDisjoint(a: Glob, b: Glob): boolean {
  if (a.literal !== null) return !matchGlob(b, a.literal);
  if (b.literal !== null) return !matchGlob(a, b.literal);
  const [prefixA, prefixB] = [literalPrefix(a), literalPrefix(b)];
  if (!prefixA.startsWith(prefixB) && !prefixB.startsWith(prefixA)) return true;
  const [suffixA, suffixB] = [literalSuffix(a), literalSuffix(b)];
  return !suffixA.endsWith(suffixB) && !suffixB.endsWith(suffixA);
}

function literalPrefix(glob: Glob): string {
  const end = glob.tokens.findIndex((t) => t.kind !== 'char');
  return codesToString(glob.tokens.slice(0, end === -1 ? glob.tokens.length : end));
}

function literalSuffix(glob: Glob): string {
  const last = glob.tokens.findLastIndex((t) => t.kind !== 'char');
  const wildcard = glob.tokens[last];
  // A whole-segment `**` may swallow the `/` after it, so that `/` is not certain to be in the text.
  const start = wildcard?.kind === 'star' && wildcard.skipsSlash ? last + 2 : last + 1;
  return codesToString(glob.tokens.slice(start));
}

function codesToString(tokens: readonly Token[]): string {
  return tokens.map((t) => (t.kind === 'char' ? String.fromCodePoint(t.code) : '')).join('');
}
