/** The command table as the build writes it, built from the command modules' sources for tests. */
import type { CommandTable } from '../../cli/command-table.js';
import { buildCommandTable, moduleOf } from '../../cli/command-table.js';
import { commands, description, groups } from '../../cli/commands/index.js';

export const commandModules = new Map<string, Record<string, unknown>>();
for (const spec of commands) {
  const module = moduleOf(spec.path);
  commandModules.set(
    module,
    (await import(`../../cli/commands/${module.slice(2).replace(/\.js$/, '.ts')}`)) as Record<
      string,
      unknown
    >,
  );
}

export const table: CommandTable = buildCommandTable(
  description,
  commands,
  groups,
  (module) => commandModules.get(module) ?? {},
);
