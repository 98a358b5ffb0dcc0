/**
 * The command table: what `agentid --help`, commander and completion need to know about every
 * command (path, summary, arguments, options, examples), and where its `run` lives. The build
 * writes it from the command modules (cli/write-command-table.ts) to dist/cli/commands/table.json,
 * so the CLI starts by reading one small file instead of importing some 35 command modules and
 * their imports: a command's module is imported only when that command runs. The modules stay
 * the one source of truth (one command per file, metadata beside its run).
 */
import type { CommandSpec } from './command.js';

// node:fs without its ES facade, which loads node:stream: docs/architecture.md, start-up.
const { readFileSync } = process.getBuiltinModule('node:fs');

export type CommandMeta = Omit<CommandSpec, 'run'>;

export interface CommandEntry extends CommandMeta {
  /** The module under cli/commands/, relative to it: `./daemon/start.js` for ['daemon', 'start']. */
  module: string;
  /** The name the module exports the spec under. */
  exportName: string;
}

export interface CommandTable {
  /** What agentid is, first in `agentid --help`. */
  description: string;
  /** Descriptions of the command groups (nouns) that have no run of their own. */
  groups: Readonly<Record<string, string>>;
  commands: readonly CommandEntry[];
}

const TABLE_URL = new URL('./commands/table.json', import.meta.url);

/** One command per file: the path names the file. */
export function moduleOf(path: readonly string[]): string {
  return `./${path.join('/')}.js`;
}

/**
 * The table for `specs`, finding each spec among the exports of its module (which must export
 * that very object: a spec elsewhere would not be found at run time).
 */
export function buildCommandTable(
  description: string,
  specs: readonly CommandSpec[],
  groups: Readonly<Record<string, string>>,
  exportsOf: (module: string) => Readonly<Record<string, unknown>>,
): CommandTable {
  const commands = specs.map((spec): CommandEntry => {
    const module = moduleOf(spec.path);
    const exportName = Object.entries(exportsOf(module)).find(([, value]) => value === spec)?.[0];
    if (!exportName)
      throw new Error(
        `cli/commands/${module.slice(2).replace(/\.js$/, '.ts')} does not export the spec of ${spec.path.join(' ')}`,
      );
    const { run: _run, ...meta } = spec;
    return { ...meta, module, exportName };
  });
  return { description, groups, commands };
}

export function readCommandTable(): CommandTable {
  try {
    return JSON.parse(readFileSync(TABLE_URL, 'utf8')) as CommandTable;
  } catch (err) {
    throw new Error(
      `cannot read the command table ${TABLE_URL.pathname} (run npm run build): ${String(err)}`,
    );
  }
}

/** The spec of a table entry, its module imported now. */
export async function loadCommand(entry: CommandEntry): Promise<CommandSpec> {
  const module = (await import(
    new URL(`./commands/${entry.module.slice(2)}`, import.meta.url).href
  )) as Record<string, CommandSpec>;
  const spec = module[entry.exportName];
  if (!spec) throw new Error(`${entry.module} no longer exports ${entry.exportName}: run npm run build`);
  return spec;
}
