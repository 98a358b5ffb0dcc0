/**
 * The fast argument parser against commander, on every command of the table: for each form it
 * accepts, the same command, options (defaults included) and arguments as commander's parse of
 * the same argv; the common forms must be accepted (or start-up pays for commander); help, errors
 * and the forms it leaves to commander must not be.
 */
import { describe, expect, it } from 'vitest';
import { parseInvocation } from '../../cli/argv.js';
import type { CommandInput } from '../../cli/command.js';
import type { CommandEntry } from '../../cli/command-table.js';
import { buildProgram } from '../../cli/commander-program.js';
import { table } from './table.js';

async function viaCommander(
  args: string[],
): Promise<{ path: readonly string[]; input: CommandInput } | null> {
  let got: { path: readonly string[]; input: CommandInput } | null = null;
  const program = buildProgram(table, '0.0.0', async (entry, input) => {
    got = { path: entry.path, input };
  });
  program.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  for (const sub of program.commands) sub.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch {
    return null;
  }
  return got;
}

const argsOf = (entry: CommandEntry) => {
  const name = entry.arguments?.[0]?.name;
  if (!name) return [];
  return name.endsWith('...>') ? ['cmd', '--its-flag', 'x'] : ['value'];
};
const optionWords = (entry: CommandEntry) =>
  (entry.options ?? []).map((o) => {
    const long = o.flags.split(/[ ,|]+/).find((w) => w.startsWith('--')) ?? '';
    return /[<[]/.test(o.flags) ? [long, `${long.slice(2)}-value`] : [long];
  });

/** Each command alone, with each option, with all options before and after its arguments, and after `--`. */
const corpus: string[][] = table.commands.flatMap((entry) => {
  const path = [...entry.path];
  const args = argsOf(entry);
  const options = optionWords(entry);
  const all = options.flat();
  const cases = [
    [...path, ...args],
    ...options.map((o) => [...path, ...o, ...args]),
    [...path, ...all, ...args],
  ];
  if (!entry.passThrough) cases.push([...path, ...args, ...all]);
  if (args.length > 0) cases.push([...path, ...all, '--', ...args]);
  if (entry.isDefault) cases.push([...entry.path.slice(0, -1), ...all]);
  return cases;
});

describe('fast argument parser', () => {
  it.each(corpus.map((c) => [c.join(' '), c]))('agrees with commander: %s', async (_name, args) => {
    const fast = parseInvocation(table, args);
    if (fast === null) return;
    expect(await viaCommander(args)).toEqual({ path: fast.entry.path, input: fast.input });
  });

  it.each([
    [['whoami']],
    [['whoami', '--json']],
    [['status', '--json']],
    [['daemon', 'status']],
    [['token', '--audience', 'api']],
    [['aws', 'credential-process', 'dev']],
    [['secret', 'set', 'name']],
    [['audit', '--json']],
    [['audit', 'list', '--json', '--limit', '5']],
    [['exec', '--agent', 'demo', '--', 'git', 'push', '--force']],
    [['exec', 'sh', '-c', 'echo hi']],
    [['setup', 'git', '--host', 'github.com', '--credential', 'gh']],
  ])('parses %j itself', async (args) => {
    const fast = parseInvocation(table, args);
    expect(fast).not.toBeNull();
    expect(await viaCommander(args)).toEqual({ path: fast?.entry.path, input: fast?.input });
  });

  it.each([
    [[]],
    [['--help']],
    [['help', 'whoami']],
    [['whoami', '--help']],
    [['whoami', '-h']],
    [['whoami', '--bogus']],
    [['whoami', 'extra']],
    [['whoami', '--json', '--json']],
    [['whoami', '--json=yes']],
    [['secret', 'set']],
    [['token', '--audience']],
    [['token', '--audience', '--json']],
    [['aws']],
    [['nope']],
    [['exec', '--env', 'A=b', '--', 'true']],
  ])('leaves %j to commander', (args) => {
    expect(parseInvocation(table, args)).toBeNull();
  });
});
