/**
 * POST /v1/mcp/list: which of the tools (prompts, resources) a server offers the calling agent
 * may use, for tools/list and its kin. Each name is decided as a call without arguments
 * (`mcpMethod` is the list method, no `mcpPath`), so a permit that needs an argument hides its
 * tool: write such rules as forbids on the argument (see README, MCP). One audit row per list.
 */
import { mcpResource } from '../../src/mcp/naming.js';
import { endpoints, type McpListResponse } from '../../src/protocol/index.js';
import { authorize } from '../authorize.js';
import type { DaemonDeps } from '../deps.js';
import { type Route, route } from '../route.js';

/** Hidden names listed in the row, at most: the count is always exact. */
const NAMED_MAX = 50;

export function mcpListRoute(deps: DaemonDeps): Route {
  return route(endpoints.mcpList, {
    action: 'mcp.list',
    handle(ctx) {
      const list = ctx.body;
      const time = deps.now();
      const allowed: string[] = [];
      const denied: string[] = [];
      for (const name of list.names) {
        const request = { mcpServer: list.server, mcpMethod: list.method, mcpTool: name };
        const resource = mcpResource(list.server, list.method, name);
        const { decision } = authorize(deps, ctx, resource, request, time);
        (decision === 'allow' ? allowed : denied).push(name);
      }
      const named = denied.slice(0, NAMED_MAX).join(', ') + (denied.length > NAMED_MAX ? ', …' : '');
      return {
        audit: {
          decision: 'allow',
          resource: `${list.server} ${list.method}`,
          reason: `${allowed.length} of ${list.names.length} permitted${denied.length ? `; denied: ${named}` : ''}`,
        },
        answer: { status: 200, body: { allowed } satisfies McpListResponse },
      };
    },
  });
}
