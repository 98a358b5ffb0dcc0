/**
 * The commander program built from the command table: what parses the argv the fast parser
 * (cli/argv.ts) leaves to it — help of a command, usage errors with their suggestions, every less
 * common form — and the reference both cli/argv.ts and cli/help.ts are tested against. Loaded
 * only then: commander (and the child_process it loads) costs every start that needs it.
 */
import { createRequire } from 'node:module';
import type { Command } from 'commander';
import { printableLines } from '../src/printable.js';
import type { CommandInput } from './command.js';
import type { CommandEntry, CommandTable } from './command-table.js';

// require, not import: importing CommonJS from ESM runs a lexer over it to find its exports.
const commander = () => createRequire(import.meta.url)('commander') as typeof import('commander');

export function buildProgram(
  table: CommandTable,
  version: string,
  onRun: (entry: CommandEntry, input: CommandInput) => Promise<void>,
): Command {
  const program = new (commander().Command)('agentid')
    .description(table.description)
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    // commander's own usage errors in our format (subcommands inherit this); it quotes the
    // offending argument (`unknown option '…'`): escaped like our own errors.
    .configureOutput({
      outputError: (text, write) => {
        const [first, ...more] = text
          .replace(/^error: /, '')
          .trimEnd()
          .split('\n');
        write(printableLines([`agentid: ${first} (ERR_USAGE)`, ...more]));
      },
    })
    .enablePositionalOptions()
    .exitOverride();
  for (const entry of table.commands) addCommand(program, entry, table.groups, onRun);
  return program;
}

/** Whether commander ended the parse itself: help or version (exit 0), or a usage error it printed. */
export function commanderExit(err: unknown): number | null {
  return err instanceof commander().CommanderError ? err.exitCode : null;
}

function addCommand(
  program: Command,
  entry: CommandEntry,
  groups: CommandTable['groups'],
  onRun: (entry: CommandEntry, input: CommandInput) => Promise<void>,
) {
  let parent = program;
  for (const noun of entry.path.slice(0, -1)) {
    parent =
      parent.commands.find((c) => c.name() === noun) ??
      parent
        .command(noun)
        .description(groups[noun] ?? '')
        .exitOverride();
  }
  const name = entry.path.at(-1) ?? '';
  const cmd = parent
    .command(name, { isDefault: entry.isDefault === true })
    .description(entry.summary)
    .showHelpAfterError(`(see: agentid ${entry.path.join(' ')} --help)`)
    .exitOverride();
  for (const a of entry.arguments ?? []) cmd.argument(a.name, a.description);
  if (entry.passThrough) cmd.passThroughOptions();
  for (const o of entry.options ?? []) cmd.option(o.flags, o.description, o.defaultValue);
  cmd.addHelpText('after', `\nExamples:\n${entry.examples.map((e) => `  $ ${e}`).join('\n')}\n`);
  // `agentid audit --help` shows the group; the options of its default command belong there too.
  if (entry.isDefault === true) parent.addHelpText('after', defaultCommandHelp(entry));
  cmd.action(async (...params: unknown[]) => {
    // commander passes the declared arguments, then the options object, then the command.
    const args = params.slice(0, (entry.arguments ?? []).length).flat() as string[];
    await onRun(entry, { opts: cmd.opts(), args });
  });
}

function defaultCommandHelp(entry: CommandEntry): string {
  const options = entry.options ?? [];
  const width = Math.max(0, ...options.map((o) => o.flags.length));
  return (
    `\nWithout a command, \`agentid ${entry.path.slice(0, -1).join(' ')}\` runs \`${entry.path.at(-1)}\`, which takes:\n` +
    options.map((o) => `  ${o.flags.padEnd(width)}  ${o.description}\n`).join('') +
    `Examples:\n${entry.examples.map((e) => `  $ ${e}`).join('\n')}\n`
  );
}
