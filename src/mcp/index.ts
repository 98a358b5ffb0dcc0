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
export { commonPath, type PathBase, summarizeCall } from './summary.js';

import type { Proxy as McpProxy, ProxyDeps } from './proxy.js';

export type { McpProxy as Proxy, ProxyDeps };

/**
 * Starts the stdio proxy of `agentid mcp`. Loaded on first use: it brings the MCP SDK and zod,
 * which the daemon must not pay for in memory. The channels above bring them too (framing.ts), so
 * the daemon's /v1/mcp routes import naming.ts itself rather than this door.
 */
export async function startProxy(deps: ProxyDeps): Promise<McpProxy> {
  const proxy = await import('./proxy.js');
  return proxy.startProxy(deps);
}
