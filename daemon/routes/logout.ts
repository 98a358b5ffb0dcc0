/**
 * POST /v1/logout: revokes the SSO session at the provider where it supports revocation and
 * deletes the refresh token from the keychain. Audited with the human who was logged in.
 */

import { AgentIdError } from '../../src/errors.js';
import { endpoints } from '../../src/protocol/index.js';
import type { DaemonDeps } from '../deps.js';
import { type Route, route } from '../route.js';

export function logoutRoute(deps: DaemonDeps): Route {
  return route(endpoints.logout, {
    manages: true,
    action: 'logout',
    humanOptional: true,
    async handle() {
      if (!deps.sso) {
        throw new AgentIdError(
          'ERR_IDP_NOT_CONFIGURED',
          'no identity provider is configured: nobody is logged in',
        );
      }
      const body = await deps.sso.session.logout();
      return {
        audit: {
          decision: 'allow',
          resource: deps.config.idp?.issuer ?? null,
          reason: body.revoked ? 'revoked at the provider' : 'not revoked at the provider',
        },
        answer: { status: 200, body },
      };
    },
  });
}
