/**
 * The fast path of argument parsing: the well-formed invocation of one command (what scripts,
 * agents and the AWS tools run over and over), read from the command table alone so commander
 * stays unloaded. It never reports an error: whatever it does not understand completely — help,
 * an unknown or repeated option, `--opt=value`, a variadic option, a missing or extra argument —
 * is null, and commander (cli/commander-program.ts) parses that argv with its usual help and
 * messages. test/cli/argv.test.ts holds it to commander's result on every command's forms.
 */
import type { CommandInput, OptionSpec } from './command.js';
import type { CommandEntry, CommandTable } from './command-table.js';

export interface Invocation {
  entry: CommandEntry;
  input: CommandInput;
}

interface Flag {
  key: string;
  takesValue: boolean;
}

export function parseInvocation(table: CommandTable, args: readonly string[]): Invocation | null {
  const found = locate(table, args);
  if (!found) return null;
  const { entry, rest } = found;
  // null: an option of this command that only commander reads (a variadic value, a short flag).
  const flags = new Map<string, Flag | null>();
  const opts: Record<string, unknown> = {};
  for (const option of entry.options ?? []) {
    const long = option.flags.split(/[ ,|]+/).find((w) => w.startsWith('--')) ?? '';
    // commander's attribute name: the long flag without dashes, camelCased.
    const key = long.slice(2).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    flags.set(long, simpleFlag(option, key));
    if (option.defaultValue !== undefined) opts[key] = option.defaultValue;
  }
  const seen = new Set<string>();
  const positional: string[] = [];
  let optionsEnded = false;
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i] ?? '';
    if (optionsEnded || token === '-' || !token.startsWith('-')) {
      positional.push(token);
      // Options after the first argument belong to the wrapped command (`agentid exec -- cmd --flag`).
      if (entry.passThrough) optionsEnded = true;
      continue;
    }
    if (token === '--') {
      optionsEnded = true;
      continue;
    }
    const flag = flags.get(token);
    if (!flag || seen.has(token)) return null;
    seen.add(token);
    if (!flag.takesValue) {
      opts[flag.key] = true;
      continue;
    }
    const value = rest[i + 1];
    if (value === undefined || value.startsWith('-')) return null;
    opts[flag.key] = value;
    i += 1;
  }
  if (!arityFits(entry, positional.length)) return null;
  return { entry, input: { opts, args: positional } };
}

/** The command the words name: a command, a group's command, or a group's default for its options. */
function locate(
  table: CommandTable,
  args: readonly string[],
): { entry: CommandEntry; rest: readonly string[] } | null {
  const [noun, verb] = args;
  if (noun === undefined || noun.startsWith('-')) return null;
  const command = table.commands.find((c) => c.path.length === 1 && c.path[0] === noun);
  if (command) return { entry: command, rest: args.slice(1) };
  const group = table.commands.filter((c) => c.path.length === 2 && c.path[0] === noun);
  const named = group.find((c) => c.path[1] === verb);
  if (named) return { entry: named, rest: args.slice(2) };
  const fallback = group.find((c) => c.isDefault);
  if (fallback && (verb === undefined || verb.startsWith('--')))
    return { entry: fallback, rest: args.slice(1) };
  return null;
}

/** `--long` or `--long <value>`; null for the forms left to commander (short, optional or variadic value). */
function simpleFlag(option: OptionSpec, key: string): Flag | null {
  const words = option.flags.split(/[ ,|]+/);
  if (words.length > 2 || words.some((w) => w.startsWith('-') && !w.startsWith('--'))) return null;
  const value = words[1];
  if (value !== undefined && !/^<[^.]+>$/.test(value)) return null;
  return { key, takesValue: value !== undefined };
}

function arityFits(entry: CommandEntry, count: number): boolean {
  const declared = entry.arguments ?? [];
  if (declared.length === 0) return count === 0;
  if (declared.length > 1) return false;
  const name = declared[0]?.name ?? '';
  if (!name.startsWith('<')) return false;
  return name.endsWith('...>') ? count >= 1 : count === 1;
}
