/**
 * What git says is shown to people (logs, audit rows, status) only after this: URLs lose their
 * user name and password, and output is cut and stripped of control characters. A token written
 * into `[policy] git = "https://user:token@host/…"` never leaves the daemon. Pure.
 */

const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi;
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

export function redactUrl(url: string): string {
  return url.replace(USERINFO, '$1***@');
}

/** git's stderr for a message: credentials out, one line per line, bounded. */
export function redactOutput(text: string, secrets: readonly string[], max = 600): string {
  let out = redactUrl(text);
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('***');
  out = out
    .replace(CONTROL, '')
    .trim()
    .replace(/\s*\n\s*/g, '; ');
  return out.length > max ? `${out.slice(0, max)}…` : out;
}

/** The user name and password of a URL, decoded and raw: what must never be shown. */
export function urlSecrets(url: string): string[] {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/\s@]*)@/i.exec(url);
  if (!match?.[1]) return [];
  const raw = match[1];
  const parts = raw.split(':').flatMap((part) => {
    try {
      return [part, decodeURIComponent(part)];
    } catch {
      return [part];
    }
  });
  return [raw, ...parts].filter((s) => s !== '');
}
