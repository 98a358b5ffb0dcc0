/**
 * Public door of `agentid exec` sessions in the daemon: the registry (persisted), who belongs to
 * which session, and the registration of a session's sandbox.
 */

export type { SandboxRecord, SessionRecord } from '../protocol/index.js';
export { byAncestry, inSession, type Membership, membershipOf } from './membership.js';
export { type PinUserns, type ProcessChain, SessionRegistry } from './registry.js';
export { pinUserns, verifySandbox } from './sandbox.js';
export { fileSessionStore, type SessionStore } from './store.js';
