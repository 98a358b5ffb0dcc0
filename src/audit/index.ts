/**
 * The audit log: an append-only, hash-chained SQLite file. The daemon owns the one AuditWriter;
 * the CLI and TUI read through AuditReader. See DESIGN.md, "Audit".
 */
export { canonicalJson } from './canonical-json.js';
export { AuditReader } from './reader.js';
export type { AuditDeps, AuditEventInput, AuditQuery, AuditRow, Decision, VerifyResult } from './types.js';
export { AuditWriter } from './writer.js';
