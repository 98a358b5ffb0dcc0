/** Public door of the wire protocol: types and the socket client. */
export { callDaemon, type RequestOptions } from './client.js';
export { connectToDaemon, type DaemonAddress } from './connect.js';
export * from './git-credential.js';
export type * from './mcp.js';
export * from './types.js';
