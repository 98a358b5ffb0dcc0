/**
 * The one escaping function for human-readable output. Much of what agentid prints comes from the
 * process it attested (argv, cwd, exe and script paths), from git (repo URLs), from MCP servers
 * (tool names) or from error messages quoting those: all chosen by the agent, the adversary of
 * the threat model. Printed raw, `\x1b]0;…\x07\x1b[2J` retitles and clears the user's terminal, a
 * newline forges an extra line of `whoami`, and a bidi override makes a path read backwards.
 * Every human view escapes such text through `printable`; JSON output is never escaped (a JSON
 * reader gets the exact values).
 */

/**
 * What a terminal could act on, or what hides what follows: C0 controls (newline and tab
 * included: a field is one line), DEL, C1 controls (U+009B is CSI on many terminals), the bidi
 * controls, the line and paragraph separators, and lone UTF-16 surrogates.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cs}\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/gu;

/** `text` with each unprintable character written as `\xHH` or `\uHHHH`; anything else unchanged. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
  });
}

/** Lines joined for the terminal, each escaped, so no value can add or undo a line. */
export function printableLines(lines: readonly string[]): string {
  return `${lines.map(printable).join('\n')}\n`;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

/** The CLI's report of a failure, one line whatever the message holds: `agentid: <message> (<CODE>)`. */
export function errorLine(error: { message: string; code: string }): string {
  return `agentid: ${printable(error.message)} (${error.code})\n`;
}
