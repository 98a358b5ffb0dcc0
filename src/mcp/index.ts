/**
 * Public door of MCP governance: the pure call summaries policy and audit see (shared by the
 * daemon's /v1/mcp routes and the proxy), the stdio proxy itself, credential injection for the
 * server, and the client config entries `agentid setup mcp` writes.
 */

export { serverChannel, streamChannel } from './channel.js';
export {
  clientEntry,
  clientFile,
  MCP_CLIENTS,
  type McpClient,
  mergeClientConfig,
  type WrappedServer,
} from './client-config.js';
export {
  fetchServerEnv,
  type McpEnvSpec,
  parseMcpEnvSpecs,
  type ServerEnv,
} from './credentials.js';
export { auditedArguments, mcpResource, resourceText } from './naming.js';
export { type Proxy, type ProxyDeps, startProxy } from './proxy.js';
export { commonPath, type PathBase, summarizeCall } from './summary.js';
