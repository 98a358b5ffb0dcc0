/**
 * Public door of agent naming: `[agents.<name>]` definitions from config.toml, and the pure match
 * of a caller's attestation against them (SPIRE-style selectors, most specific wins).
 */
export { type AgentDefinition, parseAgentDefinitions } from './definitions.js';
export {
  EVIDENCE,
  type Evidence,
  SESSION_MEMBERSHIPS,
  type SessionMembership,
  sessionEvidence,
} from './evidence.js';
export { selectorFiles } from './files.js';
export { type AgentMatch, resolveAgent, usesImageSelectors } from './resolve.js';
export {
  type MatchSubject,
  type Selector,
  type SelectorKind,
  validateAgentName,
} from './selectors.js';
export { sessionAgents } from './session-agents.js';
