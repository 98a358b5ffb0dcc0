/**
 * GET /v1/whoami: everything the daemon makes of the caller — attestation, the agent it matched
 * and why, the exec session, the human. The tool a user runs to write agent selectors. Audited
 * as an `identify` event.
 */
import { endpoints, type WhoamiResponse } from '../../src/protocol/index.js';
import { type Route, route } from '../route.js';

export function whoamiRoute(): Route {
  return route(endpoints.whoami, {
    action: 'identify',
    handle(ctx) {
      return {
        audit: { decision: 'allow' },
        respond: (row) => {
          const body: WhoamiResponse = {
            attestation: ctx.attestation,
            agent: ctx.agent,
            session: ctx.session,
            human: ctx.human,
            pidfd: ctx.peer.pidfd !== null,
            auditSeq: row.seq,
          };
          return { status: 200, body };
        },
      };
    },
  });
}
