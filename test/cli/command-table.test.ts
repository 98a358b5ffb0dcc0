/**
 * The command table the CLI starts from: built from the command modules, every spec found under
 * the export of the file its path names, and metadata only (no run) in what is written.
 */
import { describe, expect, it } from 'vitest';
import type { CommandSpec } from '../../cli/command.js';
import { buildCommandTable } from '../../cli/command-table.js';
import { commands, description, groups } from '../../cli/commands/index.js';
import { commandModules, table } from './table.js';

describe('command table', () => {
  it('has every command, in order, with the export of the file its path names', () => {
    expect(table.commands.map((c) => c.path)).toEqual(commands.map((c) => c.path));
    for (const entry of table.commands) {
      const spec = commandModules.get(entry.module)?.[entry.exportName] as CommandSpec | undefined;
      expect(spec?.path).toEqual(entry.path);
    }
    expect(table.groups).toEqual(groups);
  });

  it('holds metadata only, and survives JSON as written at build time', () => {
    const written = JSON.parse(JSON.stringify(table)) as typeof table;
    for (const [i, entry] of written.commands.entries()) {
      expect(entry).not.toHaveProperty('run');
      const { run: _run, ...meta } = commands[i] as CommandSpec;
      expect(entry).toMatchObject(meta);
    }
  });

  it('refuses a spec its module does not export', () => {
    const stray: CommandSpec = { path: ['whoami'], summary: 's', examples: ['e'], run: async () => 0 };
    expect(() =>
      buildCommandTable(description, [stray], {}, (module) => commandModules.get(module) ?? {}),
    ).toThrow('cli/commands/whoami.ts does not export the spec of whoami');
  });
});
