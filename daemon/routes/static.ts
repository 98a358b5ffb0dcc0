/**
 * POST /v1/static: a brokered static secret (`agentid exec --env VAR=NAME`). Policy action
 * `static` on the credential; the row says the secret is long-lived, and the value is read fresh
 * from the store every time.
 */
import { endpoints, type StaticSecretResponse } from '../../src/protocol/index.js';
import { staticProvider } from '../../src/providers/index.js';
import type { DaemonDeps } from '../deps.js';
import { findCredential, issueCredential } from '../issue.js';
import { type Route, route } from '../route.js';

export function staticRoute(deps: DaemonDeps): Route {
  return route(endpoints.static, {
    action: 'static',
    async handle(ctx) {
      const credential = findCredential(deps, ctx.body.credential, 'static');
      const { issued, audit } = await issueCredential(deps, ctx, {
        credential,
        provider: staticProvider({ credential, secrets: deps.secrets, now: deps.now }),
        scope: '',
        request: {},
      });
      return { audit, answer: { status: 200, body: { value: issued.value } satisfies StaticSecretResponse } };
    },
  });
}
