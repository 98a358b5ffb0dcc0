/** Public door of the wire protocol: the endpoint table, its types, and the socket client. */
export { callDaemon, callEndpoint, type RequestOptions } from './client.js';
export { connectToDaemon, type DaemonAddress } from './connect.js';
export {
  type AnswerOf,
  type CallArgs,
  type DaemonCaller,
  type Endpoint,
  endpoints,
  type Method,
  type ParamsOf,
  type WireRequest,
  wireRequest,
} from './endpoints.js';
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
