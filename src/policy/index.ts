/**
 * Public door of policy: the Cedar schema, the shipped default and example policies, the pure
 * Cedar request builder, and the engine (load, validate, decide, hot reload) the daemon and the
 * CLI share, with what-if explanations and policy tests for the CLI.
 */
export type { AheadInput } from './ahead.js';
export { type CaseResult, type PolicyCase, parsePolicyCases, runPolicyCases } from './cases.js';
export {
  DEFAULT_POLICY_FILE,
  defaultPolicy,
  EXAMPLES_FILE,
  examplesFile,
  POLICY_EXAMPLES,
  type PolicyExample,
} from './defaults.js';
export { type DirContents, MAX_POLICY_FILE_BYTES, readPolicyDir } from './dir.js';
export { PolicyEngine, type PolicyEngineDeps, type PolicySource, type ReloadResult } from './engine.js';
export { type Explanation, explainDecision, type FailedPart, type PermitCandidate } from './explain.js';
export * from './git/index.js';
export { type LoadedPolicy, type LoadResult, loadPolicies, type PolicyFile } from './load.js';
export { buildCedarRequest, type CedarRequest } from './request.js';
export { POLICY_SCHEMA } from './schema.js';
export { formatDiagnostic } from './source-map.js';
export * from './types.js';
export { type WhatIf, type WhatIfDefaults, whatIfInput } from './what-if.js';
