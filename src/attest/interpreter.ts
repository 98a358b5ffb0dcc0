/**
 * For interpreted agents the executable says little (every agent written in TypeScript is `node`);
 * the script it runs says more. It comes from argv, which the process can rewrite, so it is
 * marked weak. Each interpreter family gets just enough of its option syntax to skip option
 * values (`node -r ts-node/register app.ts`) and to see inline code (`-e`, `-c`), which runs no
 * script file at all. Pure.
 */
import { basename, isAbsolute, resolve } from 'node:path';
import type { Attestation } from './types.js';

interface Syntax {
  /** Short flags whose argument is program text or a module name: no script file runs. */
  code: string;
  /** Short flags that take a value, attached (`-Ilib`) or as the next element. */
  value: string;
  /** Short flags that take the rest of their cluster as value, never the next element. */
  attached: string;
  longCode: readonly string[];
  /** Long options that take the next element as value when written without `=`. */
  longValue: readonly string[];
  /** `-` runs stdin (true), or merely ends the options like `--` (false: shells). */
  dashIsStdin: boolean;
  /** `+o name` is an option too (shells). */
  plus: boolean;
  /** Skipped leading subcommands (`deno run`); any other bare word (no `.` or `/`) names no file. */
  subcommands: readonly string[] | null;
  /** URLs and registry specifiers (`https:`, `jsr:`, `npm:`) are kept as they are. */
  specifiers: boolean;
}

const base: Syntax = {
  code: '',
  value: '',
  attached: '',
  longCode: [],
  longValue: [],
  dashIsStdin: true,
  plus: false,
  subcommands: null,
  specifiers: false,
};

const families: ReadonlyArray<readonly [RegExp, Syntax]> = [
  [
    /^(node|nodejs)$/,
    {
      ...base,
      code: 'ep',
      value: 'rC',
      longCode: ['--eval', '--print'],
      longValue: [
        '--require',
        '--import',
        '--loader',
        '--experimental-loader',
        '--conditions',
        '--env-file',
        '--input-type',
        '--inspect-port',
        '--redirect-warnings',
        '--title',
      ],
    },
  ],
  [
    /^bun$/,
    {
      ...base,
      code: 'ep',
      value: 'r',
      longCode: ['--eval', '--print'],
      longValue: ['--preload', '--cwd', '--config', '--env-file', '--tsconfig-override'],
      subcommands: ['run', 'test'],
      specifiers: true,
    },
  ],
  [
    /^deno$/,
    {
      ...base,
      value: 'cL',
      longValue: ['--config', '--import-map', '--lock', '--cert', '--location', '--seed', '--log-level'],
      subcommands: ['run', 'test', 'bench', 'serve'],
      specifiers: true,
    },
  ],
  [
    /^(python|pypy)\d*(\.\d+)?$/,
    { ...base, code: 'cm', value: 'WX', longValue: ['--check-hash-based-pycs'] },
  ],
  [
    /^ruby\d*(\.\d+)*$/,
    {
      ...base,
      code: 'e',
      value: 'IrCE',
      attached: 'WxTKFi0',
      longValue: ['--encoding', '--external-encoding', '--internal-encoding', '--enable', '--disable'],
    },
  ],
  // perl -i, -M, -x and friends take the rest of their cluster: `-i.bak`, `-MData::Dumper`.
  [/^perl\d*(\.\d+)*$/, { ...base, code: 'eE', value: 'I', attached: 'iMmxFCD' }],
  [
    /^(sh|bash|dash|zsh|ksh|mksh)$/,
    {
      ...base,
      code: 'cs',
      value: 'oO',
      longValue: ['--rcfile', '--init-file'],
      dashIsStdin: false,
      plus: true,
    },
  ],
];

function scriptArgument(args: readonly string[], syntax: Syntax): string | null {
  let i = 0;
  let subcommandSkipped = false;
  while (i < args.length) {
    const arg = args[i++] as string;
    if (arg === '--' || (arg === '-' && !syntax.dashIsStdin)) return args[i] ?? null;
    if (arg === '-') return null;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg : arg.slice(0, eq);
      if (syntax.longCode.includes(name)) return null;
      if (eq < 0 && syntax.longValue.includes(name)) i++;
      continue;
    }
    if (arg.startsWith('-') || (syntax.plus && arg.startsWith('+'))) {
      // A cluster of short flags, read the way getopt reads it.
      for (let j = 1; j < arg.length; j++) {
        const flag = arg[j] as string;
        if (syntax.code.includes(flag)) return null;
        if (syntax.attached.includes(flag)) break;
        if (syntax.value.includes(flag)) {
          if (j === arg.length - 1) i++;
          break;
        }
      }
      continue;
    }
    if (syntax.subcommands) {
      if (!subcommandSkipped && syntax.subcommands.includes(arg)) {
        subcommandSkipped = true;
        continue;
      }
      // `deno task build`, `bun run dev`: a subcommand or a package.json script, not a file.
      if (!/[./]/.test(arg)) return null;
    }
    return arg;
  }
  return null;
}

/** The script an interpreter runs, from its exe and argv; null for anything else or inline code. */
export function scriptOf(exe: string, cmdline: readonly string[], cwd: string | null): Attestation['script'] {
  // A replaced binary reads "/usr/bin/node (deleted)"; it is still node.
  const interpreter = basename(exe.replace(/ \(deleted\)$/, ''));
  const syntax = families.find(([name]) => name.test(interpreter))?.[1];
  if (!syntax) return null;
  const arg = scriptArgument(cmdline.slice(1), syntax);
  if (arg === null || arg === '') return null;
  let path: string;
  if (syntax.specifiers && /^[a-z][a-z0-9+.-]+:/i.test(arg)) path = arg;
  else if (isAbsolute(arg)) path = resolve(arg);
  else if (cwd !== null) path = resolve(cwd, arg);
  else return null;
  return { interpreter, path, weak: true };
}
