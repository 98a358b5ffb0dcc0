/**
 * The client's door to the wire protocol: the endpoint table, the socket clients and the wire
 * types, without what only the daemon or one helper needs (the request checks, the MCP and git
 * credential pieces). Start-up is a feature: every CLI command that calls the daemon loads this,
 * and each ES module costs a fresh process its resolve, read and compile (docs/architecture.md).
 * The keep-alive client (one process calling again and again: the MCP proxy) is in the full door.
 * The daemon's verification before sending (connect.ts) is on every path through it.
 */
export { callDaemon, callEndpoint, type RequestOptions } from '../client.js';
export { connectToDaemon, type DaemonAddress } from '../connect.js';
export {
  type AnswerOf,
  type CallArgs,
  type DaemonCaller,
  type Endpoint,
  endpoints,
  type Method,
  type ParamsOf,
} from '../endpoints.js';
export type * from '../types.js';
