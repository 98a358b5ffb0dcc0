/**
 * POST /v1/sessions/:id/gateway (`agentid exec --http ROUTES [--http-proxy]`): opens the
 * session's secretless HTTP gateway (daemon/gateway/). Only the process that rooted the session
 * may, the same rule as ending it; the gateway then decides and audits every request on its own.
 */
import { AgentIdError } from '../../src/errors.js';
import type { GatewayRequest } from '../../src/protocol/index.js';
import type { DaemonDeps } from '../deps.js';
import type { SessionGateways } from '../gateway/endpoints.js';
import type { Route } from '../route.js';
import { sessionRootedAt } from '../session-root.js';

const MAX_ROUTES = 64;

export function gatewayRoute(deps: DaemonDeps, gateways: SessionGateways): Route {
  return {
    method: 'POST',
    pattern: '/v1/sessions/:id/gateway',
    action: 'gateway.start',
    async handle(ctx) {
      const session = sessionRootedAt(deps, ctx, ctx.params.id ?? '');
      const body = readRequest(ctx.body);
      const opened = await gateways.open(session, body.routes, body.proxy);
      return {
        audit: {
          decision: 'allow',
          resource: body.routes.join(',') || '(no routes)',
          reason: `gateway for session ${session.id} on ${opened.url}${body.proxy ? ' (proxy mode)' : ''}`,
        },
        answer: { status: 201, body: opened },
      };
    },
  };
}

function readRequest(body: unknown): GatewayRequest {
  const b = (body ?? {}) as Partial<GatewayRequest>;
  if (
    !Array.isArray(b.routes) ||
    b.routes.length > MAX_ROUTES ||
    !b.routes.every((r) => typeof r === 'string' && r.length > 0 && r.length <= 64)
  ) {
    throw new AgentIdError('ERR_USAGE', `routes must be an array of at most ${MAX_ROUTES} route names`);
  }
  if (typeof b.proxy !== 'boolean') throw new AgentIdError('ERR_USAGE', 'proxy must be true or false');
  return { routes: [...new Set(b.routes)], proxy: b.proxy };
}
