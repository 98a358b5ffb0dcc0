/**
 * Build step (`npm run build`, after tsc): writes dist/cli/commands/table.json from the command
 * modules, so the CLI does not import them all to start (cli/command-table.ts). Importing every
 * command module is fine here: this runs once per build, not per command.
 */
import { writeFileSync } from 'node:fs';
import { buildCommandTable, moduleOf } from './command-table.js';
import { commands, description, groups } from './commands/index.js';

const modules = new Map<string, Record<string, unknown>>();
for (const spec of commands) {
  const module = moduleOf(spec.path);
  modules.set(
    module,
    (await import(new URL(`./commands/${module.slice(2)}`, import.meta.url).href)) as Record<string, unknown>,
  );
}
const table = buildCommandTable(description, commands, groups, (module) => modules.get(module) ?? {});
writeFileSync(new URL('./commands/table.json', import.meta.url), `${JSON.stringify(table)}\n`);
