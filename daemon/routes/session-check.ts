/**
 * POST /v1/sessions/:id/check (`agentid exec --aws NAME --git NAME`): before the command starts,
 * whether the session's processes can be permitted each credential at all (daemon/authorize.ts
 * requireAllowedAhead), so a denied agent fails at once with the policy's reason instead of
 * starting and failing deep inside an SDK. Only the process that rooted the session may ask. A
 * deny is audited as a decision on that credential; a pass grants nothing and is audited as the
 * check.
 */
import { endpoints, type SessionCheckResponse } from '../../src/protocol/index.js';
import { requireAllowedAhead } from '../authorize.js';
import type { DaemonDeps } from '../deps.js';
import { findCredential, findGitCredential } from '../issue.js';
import { type Route, route } from '../route.js';
import { sessionRootedAt } from '../session-root.js';

export function sessionCheckRoute(deps: DaemonDeps): Route {
  return route(endpoints.sessionCheck, {
    action: 'session.check',
    handle(ctx) {
      const session = sessionRootedAt(deps, ctx, ctx.params.id);
      const checked: SessionCheckResponse['credentials'] = [];
      for (const wanted of ctx.body.credentials) {
        const credential =
          wanted.type === 'aws'
            ? findCredential(deps, wanted.name, 'aws')
            : findGitCredential(deps, wanted.name).credential;
        const decision = requireAllowedAhead(deps, ctx, session, {
          name: credential.name,
          type: wanted.type,
        });
        checked.push({ ...wanted, reason: decision.reason });
      }
      return {
        audit: {
          decision: 'allow',
          resource: session.id,
          reason: checked.map((c) => `${c.type} ${c.name}: ${c.reason}`).join('; '),
        },
        answer: { status: 200, body: { credentials: checked } satisfies SessionCheckResponse },
      };
    },
  });
}
