/**
 * The one edit `agentid setup aws` makes to ~/.aws/config: a `credential_process` line in one
 * profile. The file belongs to the user (comments, other tools' settings, odd spacing), so this is
 * a line edit, not a parse-and-rewrite: every byte outside that one line stays as it was, and
 * running it again changes nothing. Pure, so it has table tests.
 */

export interface ProfileEdit {
  text: string;
  changed: boolean;
}

const KEY = /^\s*credential_process\s*=/;

/** `[default]` (or `[profile default]`) for the default profile, `[profile NAME]` for others. */
function isProfileHeader(line: string, profile: string): boolean {
  const match = /^\s*\[\s*(?:profile\s+)?([^\]]+?)\s*\]\s*(?:[#;].*)?$/.exec(line);
  if (!match) return false;
  const named = /^\s*\[\s*profile\s/.test(line);
  return match[1] === profile && (named || profile === 'default');
}

export function setCredentialProcess(text: string, profile: string, command: string): ProfileEdit {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const entry = `credential_process = ${command}`;
  // Each line with its own ending, so joining them back gives the exact input.
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const body = (i: number) => (lines[i] ?? '').replace(/\r?\n$/, '');
  const start = lines.findIndex((_, i) => isProfileHeader(body(i), profile));
  if (start === -1) {
    const header = profile === 'default' ? '[default]' : `[profile ${profile}]`;
    const separator = text === '' ? '' : text.endsWith('\n') ? eol : `${eol}${eol}`;
    return { text: `${text}${separator}${header}${eol}${entry}${eol}`, changed: true };
  }
  let end = lines.findIndex((_, i) => i > start && /^\s*\[/.test(body(i)));
  if (end === -1) end = lines.length;
  const existing = lines.findIndex((_, i) => i > start && i < end && KEY.test(body(i)));
  if (existing !== -1) {
    if (body(existing).replace(KEY, '').trim() === command) return { text, changed: false };
    lines[existing] = `${entry}${(lines[existing] ?? '').slice(body(existing).length)}`;
    return { text: lines.join(''), changed: true };
  }
  // After the section's last non-blank line, so the blank lines before the next section stay put.
  let last = end - 1;
  while (last > start && body(last).trim() === '') last--;
  const after = lines[last] ?? '';
  if (!after.endsWith('\n')) lines[last] = `${after}${eol}`;
  lines.splice(last + 1, 0, `${entry}${after.endsWith('\n') ? eol : ''}`);
  return { text: lines.join(''), changed: true };
}
