/**
 * The edits `agentid setup aws` makes to ~/.aws/config: `credential_process` and `region` in one
 * profile, and taking them out again (`--remove`). The file belongs to the user (comments, other
 * tools' settings, odd spacing), so these are line edits, not a parse-and-rewrite: every byte
 * outside the lines we own stays as it was, and running setup again changes nothing. What setup
 * added is recorded in a comment line of the profile, so --remove takes out exactly that (a region
 * the user had set stays) and leaves the file as it was before. Pure, so it has table tests.
 */

export interface ProfileEdit {
  text: string;
  changed: boolean;
}

export interface ProfileSetup {
  /** The credential_process command line. */
  credentialProcess: string;
  region: string;
  /** --region was given: it replaces a region the profile already had. */
  regionExplicit: boolean;
}

/** What setup added, as words after the marker: `profile` (the whole section), and keys. */
type Added = 'profile' | 'credential_process' | 'region';

const MARKER = '# agentid setup aws added:';
const MARKER_LINE = /^\s*# agentid setup aws added:\s*([a-z_ ]*?)\s*(?:\(.*)?$/;

/** A file as lines, each with its own ending, so joining them back gives the exact input. */
class ConfigLines {
  readonly lines: string[];
  readonly eol: string;

  constructor(readonly original: string) {
    this.lines = original.match(/[^\n]*\n|[^\n]+$/g) ?? [];
    this.eol = original.includes('\r\n') ? '\r\n' : '\n';
  }

  body(i: number): string {
    return (this.lines[i] ?? '').replace(/\r?\n$/, '');
  }

  text(): string {
    return this.lines.join('');
  }

  /** [header, end) of the profile's section, or null. */
  section(profile: string): { start: number; end: number } | null {
    const start = this.lines.findIndex((_, i) => isProfileHeader(this.body(i), profile));
    if (start === -1) return null;
    const end = this.lines.findIndex((_, i) => i > start && /^\s*\[/.test(this.body(i)));
    return { start, end: end === -1 ? this.lines.length : end };
  }

  find(profile: string, test: (body: string) => boolean): number {
    const section = this.section(profile);
    if (!section) return -1;
    for (let i = section.start + 1; i < section.end; i++) if (test(this.body(i))) return i;
    return -1;
  }

  /** Replaces line i's content, keeping its line ending. */
  replace(i: number, content: string): void {
    this.lines[i] = `${content}${(this.lines[i] ?? '').slice(this.body(i).length)}`;
  }

  /** Adds a line after the section's last non-blank line, so the blank lines before the next section stay put. */
  append(profile: string, content: string): void {
    const section = this.section(profile);
    if (!section) {
      const header = profile === 'default' ? '[default]' : `[profile ${profile}]`;
      const n = this.lines.length;
      if (n > 0) {
        if (!this.lines[n - 1]?.endsWith('\n')) this.lines[n - 1] += this.eol;
        this.lines.push(this.eol);
      }
      this.lines.push(`${header}${this.eol}`, `${content}${this.eol}`);
      return;
    }
    let last = section.end - 1;
    while (last > section.start && this.body(last).trim() === '') last--;
    const after = this.lines[last] ?? '';
    if (!after.endsWith('\n')) this.lines[last] = `${after}${this.eol}`;
    this.lines.splice(last + 1, 0, `${content}${after.endsWith('\n') ? this.eol : ''}`);
  }
}

/** `[default]` (or `[profile default]`) for the default profile, `[profile NAME]` for others. */
function isProfileHeader(line: string, profile: string): boolean {
  const match = /^\s*\[\s*(?:profile\s+)?([^\]]+?)\s*\]\s*(?:[#;].*)?$/.exec(line);
  if (!match) return false;
  const named = /^\s*\[\s*profile\s/.test(line);
  return match[1] === profile && (named || profile === 'default');
}

const keyLine = (key: string) => new RegExp(`^\\s*${key}\\s*=`);
const lineValue = (body: string, key: string) => body.replace(keyLine(key), '').trim();

function setKey(file: ConfigLines, profile: string, key: string, value: string): void {
  const at = file.find(profile, (b) => keyLine(key).test(b));
  if (at === -1) file.append(profile, `${key} = ${value}`);
  else if (lineValue(file.body(at), key) !== value) file.replace(at, `${key} = ${value}`);
}

function addedBy(file: ConfigLines, profile: string): { at: number; added: Set<Added> } {
  const at = file.find(profile, (b) => MARKER_LINE.test(b));
  const words = at === -1 ? [] : (MARKER_LINE.exec(file.body(at))?.[1] ?? '').split(/\s+/);
  return {
    at,
    added: new Set(words.filter((w): w is Added => /^(profile|credential_process|region)$/.test(w))),
  };
}

/** The value of `key` in the profile, or null. */
export function profileValue(text: string, profile: string, key: string): string | null {
  const file = new ConfigLines(text);
  const at = file.find(profile, (b) => keyLine(key).test(b));
  return at === -1 ? null : lineValue(file.body(at), key);
}

/** Sets credential_process and region (a region the user set stays unless --region was given). */
export function setupProfile(text: string, profile: string, setup: ProfileSetup): ProfileEdit {
  const file = new ConfigLines(text);
  const had = addedBy(file, profile);
  const added = new Set<Added>(had.added);
  if (file.section(profile) === null) added.add('profile');
  added.add('credential_process');
  setKey(file, profile, 'credential_process', setup.credentialProcess);
  const userRegion = profileValue(text, profile, 'region') !== null && !had.added.has('region');
  if (!userRegion) added.add('region');
  if (!userRegion || setup.regionExplicit) setKey(file, profile, 'region', setup.region);
  const order: Added[] = ['profile', 'credential_process', 'region'];
  const marker = `${MARKER} ${order.filter((a) => added.has(a)).join(' ')} (undo: agentid setup aws --profile ${profile} --remove)`;
  const at = addedBy(file, profile).at;
  if (at === -1) file.append(profile, marker);
  else if (file.body(at) !== marker) file.replace(at, marker);
  const result = file.text();
  return { text: result, changed: result !== text };
}

/**
 * Takes out what setupProfile added. Without its marker (a profile set up by hand or by an older
 * agentid) only a credential_process that runs agentid is removed.
 */
export function removeProfileSetup(text: string, profile: string): ProfileEdit {
  const file = new ConfigLines(text);
  const { at: markerAt, added } = addedBy(file, profile);
  if (markerAt === -1) {
    const cp = file.find(profile, (b) => keyLine('credential_process').test(b));
    // `<launcher> aws credential-process NAME`, or the thin helper `…/aws-credential-process NAME`.
    if (cp !== -1 && /\baws[\s-]credential-process'?\s/.test(file.body(cp))) added.add('credential_process');
  }
  const section = file.section(profile);
  if (!section) return { text, changed: false };
  const drop = new Set<number>(markerAt === -1 ? [] : [markerAt]);
  for (const key of ['credential_process', 'region'] as const) {
    const i = added.has(key) ? file.find(profile, (b) => keyLine(key).test(b)) : -1;
    if (i !== -1) drop.add(i);
  }
  const rest: string[] = [];
  for (let i = section.start + 1; i < section.end; i++) if (!drop.has(i)) rest.push(file.body(i));
  if (added.has('profile') && rest.every((line) => line.trim() === '')) {
    // The whole section was ours: it goes with the blank line that set it apart (the one before
    // it, or at the top of the file the ones after it).
    const blank = (i: number) => file.body(i).trim() === '';
    let last = section.end - 1;
    while (last > section.start && blank(last)) last--;
    const from = section.start > 0 && blank(section.start - 1) ? section.start - 1 : section.start;
    const to = from === section.start ? section.end - 1 : last;
    file.lines.splice(from, to - from + 1);
  } else {
    for (const i of [...drop].sort((a, b) => b - a)) file.lines.splice(i, 1);
  }
  const result = file.text();
  return { text: result, changed: result !== text };
}

/** The profiles a config file defines: `[default]`, `[profile NAME]` (not sso-session or services sections). */
export function profileNames(text: string): string[] {
  const names = [...text.matchAll(/^\s*\[\s*(profile\s+)?([^\]\s][^\]]*?)\s*\]\s*(?:[#;].*)?$/gm)].flatMap(
    (m) => (m[1] || m[2] === 'default' ? [m[2] as string] : []),
  );
  return [...new Set(names)];
}
