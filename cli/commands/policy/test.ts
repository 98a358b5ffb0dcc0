/**
 * `agentid policy test FILE`: runs a file of what-if cases with expected decisions against the
 * policy dir; prints a diff per failing case and exits 1 when any case fails.
 */
import { readFileSync } from 'node:fs';
import { AgentIdError } from '../../../src/errors.js';
import type { CaseResult } from '../../../src/policy/index.js';
import { printableLines } from '../../../src/printable.js';
import { type CommandSpec, jsonOption, printJson } from '../../command.js';
import { dirOption, importPolicy, openValidPolicyEngine } from '../../policy-engine.js';

export const policyTest: CommandSpec = {
  path: ['policy', 'test'],
  summary: 'run policy test cases (TOML or JSON) against the policy files; exit 1 on a mismatch',
  arguments: [{ name: '<file>', description: 'cases: [[case]] tables (TOML) or {"case": [...]} (JSON)' }],
  options: [dirOption, jsonOption],
  examples: [
    'agentid policy test policy-tests.toml',
    'agentid policy test --dir ./policy cases.json --json',
    'printf \'[[case]]\\nagent = "claude"\\ncredential = "identity"\\nexpect = "allow"\\n\' > t.toml && agentid policy test t.toml',
  ],
  async run({ opts, args }, deps) {
    const { parsePolicyCases, runPolicyCases } = await importPolicy();
    const file = args[0] ?? '';
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new AgentIdError('ERR_USAGE', `cannot read ${file}: ${(err as Error).message}`);
    }
    const cases = parsePolicyCases(text, file);
    const engine = await openValidPolicyEngine(deps, opts.dir);
    const results = runPolicyCases(engine, cases, { uid: deps.uid, now: deps.now() });
    const failed = results.filter((r) => !r.ok);
    if (opts.json)
      printJson(deps, { passed: results.length - failed.length, failed: failed.length, results });
    else deps.out(formatResults(results));
    if (failed.length === 0) return 0;
    throw new AgentIdError(
      'ERR_POLICY_TEST_FAILED',
      `${failed.length} of ${results.length} policy test cases failed`,
    );
  },
};

function formatResults(results: readonly CaseResult[]): string {
  const lines: string[] = [];
  for (const { case: c, actual, ok } of results) {
    lines.push(`${ok ? 'ok  ' : 'FAIL'} ${c.name}`);
    if (ok) continue;
    const expected = c.policies ? `${c.expect} by ${c.policies.join(', ') || '(no policy)'}` : c.expect;
    lines.push(`  - expected: ${expected}`, `  + actual:   ${actual.decision} (${actual.reason})`);
  }
  const failed = results.filter((r) => !r.ok).length;
  lines.push(`${results.length - failed} passed, ${failed} failed`);
  return printableLines(lines);
}
