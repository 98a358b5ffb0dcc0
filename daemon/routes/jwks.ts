/** GET /v1/jwks: the public keys that verify agent JWTs. Public data, so not audited. */
import { endpoints } from '../../src/protocol/index.js';
import type { DaemonDeps } from '../deps.js';
import { type Route, route } from '../route.js';

export function jwksRoute(deps: DaemonDeps): Route {
  return route(endpoints.jwks, {
    action: 'jwks',
    humanOptional: true,
    async handle() {
      return { audit: null, answer: { status: 200, body: await deps.signingKeys.jwks() } };
    },
  });
}
