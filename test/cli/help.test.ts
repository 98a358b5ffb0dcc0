/** `agentid --help` without commander is the help commander gives for the same program. */
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/commander-program.js';
import { renderTopLevelHelp } from '../../cli/help.js';
import { table } from './table.js';

describe('top-level help', () => {
  it.each([80, 120, 60, 30])('is commander’s at %i columns', (width) => {
    const program = buildProgram(table, '0.0.0', async () => {});
    program.configureOutput({ getOutHelpWidth: () => width });
    expect(renderTopLevelHelp(table, width)).toBe(program.helpInformation());
  });
});
