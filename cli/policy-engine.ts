/**
 * The policy engine for the CLI's policy commands: loaded in-process from the policy dir (or
 * `--dir`), the same engine the daemon runs, so no daemon is needed. Cedar (wasm) is imported on
 * use: the other commands start without it.
 */
import { resolve } from 'node:path';
import { AgentIdError } from '../src/errors.js';
import type { PolicyEngine } from '../src/policy/index.js';
import type { CliDeps, OptionSpec } from './command.js';

export const dirOption: OptionSpec = {
  flags: '--dir <dir>',
  description: 'policy dir to use instead of the configured one',
};

export async function openPolicyEngine(deps: CliDeps, dir: unknown): Promise<PolicyEngine> {
  const { PolicyEngine } = await import('../src/policy/index.js');
  return new PolicyEngine({
    dir: typeof dir === 'string' ? resolve(dir) : deps.paths.policyDir,
    uid: deps.uid,
    now: () => deps.now(),
  });
}

/** For commands that decide: a set that does not load is an error, not a silent deny-all. */
export async function openValidPolicyEngine(deps: CliDeps, dir: unknown): Promise<PolicyEngine> {
  const engine = await openPolicyEngine(deps, dir);
  const error = engine.status().lastError;
  if (error) throw new AgentIdError('ERR_POLICY_INVALID', error.message);
  return engine;
}
