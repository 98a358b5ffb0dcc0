/**
 * POST /v1/mcp/start: an `agentid mcp` proxy announces the server it wraps (audited as
 * `mcp.start`) and gets the `[mcp]` settings it applies and the types of the credentials its
 * `--env` asks for. The daemon's config is the one that counts, not the proxy's reading of it.
 */
import { AgentIdError } from '../../src/errors.js';
import { endpoints, type McpStartResponse } from '../../src/protocol/index.js';
import type { DaemonDeps } from '../deps.js';
import { type Route, route } from '../route.js';

export function mcpStartRoute(deps: DaemonDeps): Route {
  return route(endpoints.mcpStart, {
    action: 'mcp.start',
    handle(ctx) {
      const start = ctx.body;
      const credentials = start.credentials.map((name) => {
        const credential = deps.config.credentials.find((c) => c.name === name);
        if (!credential) {
          const known = deps.config.credentials.map((c) => c.name).join(', ');
          throw new AgentIdError(
            'ERR_CREDENTIAL_UNKNOWN',
            `no credential named ${name} (configured: ${known})`,
          );
        }
        return { name, type: credential.type };
      });
      const { hideDenied, auditArguments, maxMessageBytes } = deps.config.mcp;
      const body: McpStartResponse = { hideDenied, auditArguments, maxMessageBytes, credentials };
      return {
        audit: {
          decision: 'allow',
          resource: start.server,
          reason: `program=${start.program}${credentials.length ? ` env credentials: ${start.credentials.join(', ')}` : ''}`,
        },
        answer: { status: 200, body },
      };
    },
  });
}
