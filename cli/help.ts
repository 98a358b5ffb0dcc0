/**
 * `agentid --help` from the command table alone, laid out as commander lays out the program's help
 * (so a user sees one style), without loading commander for the command a new user runs first.
 * Help of a single command still comes from commander. test/cli/help.test.ts holds the two equal.
 */
import type { CommandTable } from './command-table.js';

/** commander's defaults: 80 columns when stdout is not a terminal, no wrapping below 40. */
export const DEFAULT_HELP_WIDTH = 80;
const MIN_WIDTH_TO_WRAP = 40;
const INDENT = 2;
const SPACER = 2;

export function renderTopLevelHelp(table: CommandTable, width = DEFAULT_HELP_WIDTH): string {
  const options: [string, string][] = [
    ['-V, --version', 'output the version number'],
    ['-h, --help', 'display help for command'],
  ];
  const commands: [string, string][] = [];
  for (const entry of table.commands) {
    const [noun = ''] = entry.path;
    if (entry.path.length > 1) {
      if (!commands.some(([term]) => term === noun)) commands.push([noun, table.groups[noun] ?? '']);
      continue;
    }
    const args = (entry.arguments ?? []).map((a) => a.name).join(' ');
    commands.push([
      `${noun}${entry.options?.length ? ' [options]' : ''}${args ? ` ${args}` : ''}`,
      entry.summary,
    ]);
  }
  commands.push(['help [command]', 'display help for command']);
  const termWidth = Math.max(...[...options, ...commands].map(([term]) => term.length));
  const item = ([term, description]: [string, string]) => {
    const room = width - termWidth - SPACER - INDENT;
    const wrapped = room < MIN_WIDTH_TO_WRAP ? description : wrap(description, room);
    const lines = wrapped.split('\n');
    const rest = lines.slice(1).map((line) => `\n${' '.repeat(INDENT + termWidth + SPACER)}${line}`);
    return `${' '.repeat(INDENT)}${term.padEnd(termWidth)}${' '.repeat(SPACER)}${lines[0] ?? ''}${rest.join('')}`;
  };
  return [
    'Usage: agentid [options] [command]',
    '',
    width < MIN_WIDTH_TO_WRAP ? table.description : wrap(table.description, width),
    '',
    'Options:',
    ...options.map(item),
    '',
    'Commands:',
    ...commands.map(item),
    '',
  ].join('\n');
}

/** Greedy wrap at whitespace, as commander's Help.boxWrap does for one paragraph. */
function wrap(text: string, width: number): string {
  const chunks = text.match(/\s*\S+/g) ?? [];
  const lines: string[] = [];
  let line = chunks.shift() ?? '';
  for (const chunk of chunks) {
    if (line.length + chunk.length <= width) {
      line += chunk;
    } else {
      lines.push(line);
      line = chunk.trimStart();
    }
  }
  lines.push(line);
  return lines.join('\n');
}
