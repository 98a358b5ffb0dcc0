/**
 * POST /v1/mcp/result: how an allowed MCP call ended, reported by the proxy once the server
 * answered (or failed to). A second row rather than an edit: the log is append-only, and the
 * decision row was committed before the call went out. It names the decision row's event id.
 */
import { mcpResource, resourceText } from '../../src/mcp/naming.js';
import { endpoints } from '../../src/protocol/index.js';
import { type Route, route } from '../route.js';

export function mcpResultRoute(): Route {
  return route(endpoints.mcpResult, {
    action: 'mcp.result',
    handle(ctx) {
      const result = ctx.body;
      const code = result.rpcCode === undefined ? '' : ` (JSON-RPC ${result.rpcCode})`;
      return {
        audit: {
          decision: result.status === 'error' ? 'error' : 'allow',
          resource: resourceText(mcpResource(result.server, result.method, result.name)),
          reason: `${result.method} ${result.status}${code}; decided in event ${result.eventId}`,
          // The server's time, as the proxy measured it: what the call cost beyond the decision.
          latencyMs: Math.round(result.latencyMs * 1000) / 1000,
        },
        respond: (row) => ({ status: 200, body: { seq: row.seq } }),
      };
    },
  });
}
