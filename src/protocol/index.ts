/** Public door of the wire protocol: the endpoint table, its types, and the socket client. */
// What a client needs is the client's door (src/protocol/client); the rest is the daemon's.
export * from './client/index.js';
export { type WireRequest, wireRequest } from './endpoints.js';
export * from './git-credential.js';
export { createKeepAliveClient, type KeepAliveClient } from './keep-alive.js';
export * from './mcp.js';
export {
  checkDepth,
  checkName,
  isRepresentableName,
  MAX_JSON_DEPTH,
  MAX_NAME_LENGTH,
  nestsDeeperThan,
} from './mcp-bounds.js';
export { type RequestChecks, requestCheck, requestChecks } from './request-checks.js';
export * from './types.js';
