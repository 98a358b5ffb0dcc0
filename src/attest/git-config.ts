/**
 * Just enough of git's config syntax to read `remote.<name>.url` the way git does: sections and
 * quoted subsections, the old `[section.subsection]` form, case-insensitive names, quoting,
 * escapes, line continuations and comments. Pure: no I/O and no includes, because the daemon reads
 * files and never runs git. A file git itself would reject yields null, not a partial answer.
 */

interface Entry {
  section: string;
  subsection: string | null;
  key: string;
  value: string | null;
}

class Malformed extends Error {}

const NAME_CHAR = /[A-Za-z0-9-]/;
const SECTION_CHAR = /[A-Za-z0-9.-]/;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', b: '\b', '\\': '\\', '"': '"' };

function* entries(source: string): Generator<Entry> {
  const text = source.replace(/\r\n/g, '\n').replace(/^\uFEFF/, '');
  let i = 0;
  let section: string | null = null;
  let subsection: string | null = null;

  const skipToEol = () => {
    while (i < text.length && text[i] !== '\n') i++;
  };

  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
    } else if (c === '#' || c === ';') {
      skipToEol();
    } else if (c === '[') {
      i++;
      let name = '';
      while (i < text.length && SECTION_CHAR.test(text[i] as string)) name += text[i++];
      if (name === '') throw new Malformed();
      subsection = null;
      if (text[i] === ' ' || text[i] === '\t') {
        while (text[i] === ' ' || text[i] === '\t') i++;
        if (text[i++] !== '"') throw new Malformed();
        let sub = '';
        for (;;) {
          const s = text[i++];
          if (s === undefined || s === '\n') throw new Malformed();
          if (s === '"') break;
          // In a subsection name a backslash keeps the next character as it is.
          sub += s === '\\' ? (text[i++] ?? '') : s;
        }
        subsection = sub;
        section = name.toLowerCase();
      } else {
        // Deprecated `[remote.origin]`: the whole name is case-insensitive.
        const dot = name.indexOf('.');
        section = (dot < 0 ? name : name.slice(0, dot)).toLowerCase();
        if (dot >= 0) subsection = name.slice(dot + 1).toLowerCase();
      }
      if (text[i++] !== ']') throw new Malformed();
    } else if (/[A-Za-z]/.test(c)) {
      let key = '';
      while (i < text.length && NAME_CHAR.test(text[i] as string)) key += text[i++];
      while (text[i] === ' ' || text[i] === '\t') i++;
      let value: string | null = null;
      if (text[i] === '=') {
        i++;
        value = parseValue();
      } else if (i < text.length && text[i] !== '\n' && text[i] !== '#' && text[i] !== ';') {
        throw new Malformed();
      } else {
        skipToEol();
      }
      // git accepts keys before any section header, under an empty section name.
      yield { section: section ?? '', subsection, key: key.toLowerCase(), value };
    } else {
      throw new Malformed();
    }
  }

  function parseValue(): string {
    while (text[i] === ' ' || text[i] === '\t') i++;
    let value = '';
    let pendingSpace = '';
    let quoted = false;
    for (;;) {
      const c = text[i++];
      if (c === undefined || (c === '\n' && !quoted)) return value;
      if (c === '\n') throw new Malformed();
      if (!quoted && (c === '#' || c === ';')) {
        skipToEol();
        return value;
      }
      if (!quoted && (c === ' ' || c === '\t')) {
        // Whitespace inside a value survives; trailing whitespace does not.
        pendingSpace += c;
        continue;
      }
      value += pendingSpace;
      pendingSpace = '';
      if (c === '"') {
        quoted = !quoted;
      } else if (c === '\\') {
        const e = text[i++];
        if (e === '\n') continue;
        const escaped = e === undefined ? undefined : ESCAPES[e];
        if (escaped === undefined) throw new Malformed();
        value += escaped;
      } else {
        value += c;
      }
    }
  }
}

/**
 * `remote.<remote>.url` from the text of a git config file; null when absent or when the file is
 * malformed. With several url lines, the first: the one git fetches from.
 */
export function parseGitConfigRemote(text: string, remote = 'origin'): string | null {
  let all: Entry[];
  try {
    all = [...entries(text)];
  } catch (err) {
    if (err instanceof Malformed) return null;
    throw err;
  }
  const url = all.find(
    (e) => e.section === 'remote' && e.subsection === remote && e.key === 'url' && e.value,
  );
  return url?.value ?? null;
}
