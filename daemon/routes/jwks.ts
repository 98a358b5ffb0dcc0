/** GET /v1/jwks: the public keys that verify agent JWTs. Public data, so not audited. */
import type { DaemonDeps } from '../deps.js';
import type { Route } from '../route.js';

export function jwksRoute(deps: DaemonDeps): Route {
  return {
    method: 'GET',
    pattern: '/v1/jwks',
    action: 'jwks',
    humanOptional: true,
    async handle() {
      return { audit: null, answer: { status: 200, body: await deps.signingKeys.jwks() } };
    },
  };
}
