/**
 * Public door of `agentid exec` sessions: which processes act inside a session, and so carry its
 * declared agent and its human. Held in daemon memory; see registry.ts for why.
 */
export { inSession, SessionRegistry } from './registry.js';
export type { ProcessChain, Session } from './types.js';
