/**
 * POST /v1/sessions/:id/gateway (`agentid exec --http ROUTES [--http-proxy]`): opens the
 * session's secretless HTTP gateway (daemon/gateway/). Only the process that rooted the session
 * may, the same rule as ending it; the gateway then decides and audits every request on its own.
 */
import { endpoints } from '../../src/protocol/index.js';
import type { DaemonDeps } from '../deps.js';
import type { SessionGateways } from '../gateway/endpoints.js';
import { type Route, route } from '../route.js';
import { sessionRootedAt } from '../session-root.js';

export function gatewayRoute(deps: DaemonDeps, gateways: SessionGateways): Route {
  return route(endpoints.sessionGateway, {
    action: 'gateway.start',
    async handle(ctx) {
      const session = sessionRootedAt(deps, ctx, ctx.params.id);
      const { routes, proxy } = ctx.body;
      const opened = await gateways.open(session, routes, proxy);
      return {
        audit: {
          decision: 'allow',
          resource: routes.join(',') || '(no routes)',
          reason: `gateway for session ${session.id} on ${opened.url}${proxy ? ' (proxy mode)' : ''}`,
        },
        answer: { status: 201, body: opened },
      };
    },
  });
}
