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

/**
 * src/policy for a CLI command, Cedar compiled for a short process. V8 compiles wasm with its
 * baseline compiler (Liftoff) and then again, optimized, what runs hot (TurboFan): that second
 * compile is most of a first check of a policy set (`node --cpu-prof`: some 0.6 s of 0.8 s in
 * Cedar's validate and parse), and a command exits before it pays off. Liftoff alone, compiling
 * each function on its first call, runs the same code, correctly, a little slower once compiled.
 * V8 flags are per process: the daemon (`daemon run`, which never loads this file) keeps its
 * optimizing compiler. Must run before Cedar is first imported in this process.
 */
export function importPolicy(): Promise<typeof import('../src/policy/index.js')> {
  const v8 = process.getBuiltinModule('node:v8');
  v8.setFlagsFromString('--liftoff-only');
  v8.setFlagsFromString('--wasm-lazy-compilation');
  return import('../src/policy/index.js');
}

export async function openPolicyEngine(deps: CliDeps, dir: unknown): Promise<PolicyEngine> {
  const { PolicyEngine } = await importPolicy();
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
