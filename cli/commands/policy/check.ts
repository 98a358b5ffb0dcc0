/** `agentid policy check`: validate the policy dir against the schema; problems as file:line:col. */
import { join } from 'node:path';
import { AgentIdError } from '../../../src/errors.js';
import { printable } from '../../../src/printable.js';
import { type CommandSpec, jsonOption, printJson } from '../../command.js';
import { dirOption, importPolicy, openPolicyEngine } from '../../policy-engine.js';

export const policyCheck: CommandSpec = {
  path: ['policy', 'check'],
  summary: 'validate the policy files against the schema (exit 2 naming file:line:col on error)',
  options: [
    dirOption,
    { flags: '--schema', description: 'print the Cedar schema policies are checked against' },
    jsonOption,
  ],
  examples: [
    'agentid policy check',
    'agentid policy check --dir ./policy --json',
    'agentid policy check --schema',
  ],
  async run({ opts }, deps) {
    if (opts.schema) {
      const { POLICY_SCHEMA } = await importPolicy();
      deps.out(POLICY_SCHEMA);
      return 0;
    }
    const { formatDiagnostic } = await importPolicy();
    const status = (await openPolicyEngine(deps, opts.dir)).status();
    const diagnostics = status.lastError?.diagnostics ?? [];
    if (opts.json) {
      printJson(deps, { ok: diagnostics.length === 0, ...status, lastError: undefined, diagnostics });
    } else if (diagnostics.length > 0) {
      // Paths an editor or a terminal can jump to.
      for (const d of diagnostics)
        deps.err(`${printable(formatDiagnostic({ ...d, file: join(status.dir, d.file) }))}\n`);
    } else if (status.source === 'default') {
      deps.out(
        `ok: ${status.dir} does not exist; the built-in default policy applies (\`agentid init\` writes it)\n`,
      );
    } else {
      deps.out(
        `ok: ${plural(status.policyCount, 'policy', 'policies')} in ${plural(status.files.length, 'file', 'files')} in ${status.dir}\n`,
      );
    }
    if (diagnostics.length === 0) return 0;
    throw new AgentIdError(
      'ERR_POLICY_INVALID',
      `${diagnostics.length} problem(s) in ${status.dir}; fix them and run \`agentid policy check\` again`,
    );
  },
};

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
