/**
 * POST /v1/token: an agent identity JWT for one audience (`agentid token --audience AUD`,
 * `agentid exec --token AUD=VAR`). Policy action `jwt` on the named credential (default the
 * built-in `identity`).
 */
import { endpoints, type TokenResponse } from '../../src/protocol/index.js';
import type { DaemonDeps } from '../deps.js';
import { findCredential, issueCredential, jwtProviderFor } from '../issue.js';
import { type Route, route } from '../route.js';

export function tokenRoute(deps: DaemonDeps): Route {
  return route(endpoints.token, {
    action: 'jwt',
    async handle(ctx) {
      const { body } = ctx;
      const credential = findCredential(deps, body.credential ?? 'identity', 'jwt');
      const { issued, audit } = await issueCredential(deps, ctx, {
        credential,
        provider: jwtProviderFor(deps, credential),
        scope: body.audience,
        request: { audience: body.audience },
      });
      const response: TokenResponse = {
        token: issued.value,
        expiresAt: issued.expiresAt.toISOString(),
        kid: issued.details.kid ?? '',
      };
      return { audit, answer: { status: 200, body: response } };
    },
  });
}
