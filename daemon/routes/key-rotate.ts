/**
 * POST /v1/keys/rotate: a new JWT signing key. The previous one stays in the JWKS until the last
 * token it signed has expired, so rotation never breaks a verifier.
 */
import { endpoints } from '../../src/protocol/index.js';
import type { DaemonDeps } from '../deps.js';
import { type Route, route } from '../route.js';

export function keyRotateRoute(deps: DaemonDeps): Route {
  return route(endpoints.keyRotate, {
    manages: true,
    action: 'key.rotate',
    async handle() {
      const rotated = await deps.signingKeys.rotate();
      return {
        audit: {
          decision: 'allow',
          resource: 'jwt-signing-key',
          reason: `kid ${rotated.previousKid} -> ${rotated.kid}`,
        },
        answer: { status: 200, body: rotated },
      };
    },
  });
}
