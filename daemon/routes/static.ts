/**
 * POST /v1/static: a brokered static secret (`agentid exec --env VAR=NAME`). Policy action
 * `static` on the credential; the row says the secret is long-lived, and the value is read fresh
 * from the store every time.
 */
import { AgentIdError } from '../../src/errors.js';
import type { StaticSecretRequest, StaticSecretResponse } from '../../src/protocol/index.js';
import { staticProvider } from '../../src/providers/index.js';
import type { DaemonDeps } from '../deps.js';
import { findCredential, issueCredential } from '../issue.js';
import type { Route } from '../route.js';

export function staticRoute(deps: DaemonDeps): Route {
  return {
    method: 'POST',
    pattern: '/v1/static',
    action: 'static',
    async handle(ctx) {
      const body = (ctx.body ?? {}) as Partial<StaticSecretRequest>;
      if (typeof body.credential !== 'string') {
        throw new AgentIdError('ERR_USAGE', 'credential must be the name of a static credential');
      }
      const credential = findCredential(deps, body.credential, 'static');
      const { issued, audit } = await issueCredential(deps, ctx, {
        credential,
        provider: staticProvider({ credential, secrets: deps.secrets, now: deps.now }),
        scope: '',
        request: {},
      });
      return { audit, answer: { status: 200, body: { value: issued.value } satisfies StaticSecretResponse } };
    },
  };
}
