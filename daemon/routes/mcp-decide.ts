/**
 * POST /v1/mcp/decide: may the calling agent (the `agentid mcp` proxy, attested as the agent's
 * child) make this MCP call? Policy action `mcp` on `Tool::"<server>/<tool>"` (or Prompt,
 * Resource), with `context.request` {mcpServer, mcpMethod, mcpTool, mcpPath?, mcpArgs}. The
 * decision row is committed before the answer, so no call reaches the server unaudited; a deny is
 * an answer (200, decision deny), not an error: the proxy turns it into the client's JSON-RPC error.
 */
import { auditedArguments, mcpResource, resourceText } from '../../src/mcp/naming.js';
import { endpoints, type McpDecideResponse } from '../../src/protocol/index.js';
import { authorize } from '../authorize.js';
import type { DaemonDeps } from '../deps.js';
import { type Route, route } from '../route.js';

export function mcpDecideRoute(deps: DaemonDeps): Route {
  return route(endpoints.mcpDecide, {
    action: 'mcp',
    handle(ctx) {
      const call = ctx.body;
      const resource = mcpResource(call.server, call.method, call.name);
      const request = {
        mcpServer: call.server,
        mcpMethod: call.method,
        mcpTool: call.name,
        mcpPath: call.path,
        mcpArgs: call.argsDigest,
      };
      const decision = authorize(deps, ctx, resource, request);
      const facts = [
        call.method,
        `args=sha256:${call.argsDigest}`,
        ...(call.path === undefined ? [] : [`path=${call.path}`]),
        ...(deps.config.mcp.auditArguments && call.arguments !== undefined
          ? [`arguments=${auditedArguments(call.arguments)}`]
          : []),
      ];
      return {
        audit: {
          decision: decision.decision,
          resource: resourceText(resource),
          reason: `${facts.join(' ')}; ${decision.reason}`,
          policyIds: decision.policyIds,
          errorCode: decision.decision === 'deny' ? 'ERR_POLICY_DENIED' : null,
        },
        // The event id names the committed row, for the result row that follows the call.
        respond: (row) => {
          const body: McpDecideResponse = {
            decision: decision.decision,
            reason: decision.reason,
            policyIds: decision.policyIds,
            eventId: row.id,
          };
          return { status: 200, body };
        },
      };
    },
  });
}
