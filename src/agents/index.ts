/**
 * Public door of agent naming: `[agents.<name>]` definitions from config.toml, and the pure match
 * of a caller's attestation against them (SPIRE-style selectors, most specific wins).
 */
export { type AgentDefinition, parseAgentDefinitions } from './definitions.js';
export { type AgentMatch, resolveAgent } from './resolve.js';
export {
  type MatchSubject,
  type Selector,
  type SelectorKind,
  validateAgentName,
} from './selectors.js';
export { sessionAgents } from './session-agents.js';
