/**
 * The audit log: an append-only, hash-chained SQLite file. The daemon owns the one AuditWriter;
 * the CLI and TUI read through AuditReader. See README.md, "Audit log", and SECURITY.md invariants 3 and 4.
 */
export { canonicalJson } from './canonical-json.js';
export {
  type CheckpointClaims,
  type CheckpointDocument,
  proveExtends,
  signCheckpoint,
  verifyCheckpoint,
} from './checkpoint.js';
export { type BatchWriter, createGroupCommit, type GroupCommit } from './group-commit.js';
export { OCSF_VERSION, ocsfJson, toOcsf } from './ocsf.js';
export { AuditReader, type AuditStats, type ChainCheck } from './reader.js';
export * from './ship/index.js';
export type {
  Anchor,
  AuditDeps,
  AuditEventInput,
  AuditQuery,
  AuditRow,
  Decision,
  PruneResult,
  VerifyResult,
} from './types.js';
export { checkpointWhenQuiet } from './wal-checkpoint.js';
export { AuditWriter } from './writer.js';
