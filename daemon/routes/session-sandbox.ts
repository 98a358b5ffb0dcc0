/**
 * POST /v1/sessions/:id/sandbox: the exec wrapper names its sandbox's first process before the
 * command runs in it (bubblewrap waits on a pipe until then). The daemon checks the process itself
 * (src/sessions/sandbox.ts) and from then on knows every process in that user namespace as the
 * session's, whatever it does to its ancestry. Only the session's root may register, once.
 */
import { AgentIdError } from '../../src/errors.js';
import { endpoints } from '../../src/protocol/index.js';
import { byAncestry, pinUserns, verifySandbox } from '../../src/sessions/index.js';
import type { DaemonDeps } from '../deps.js';
import { type Route, route } from '../route.js';

export function sessionSandboxRoute(deps: DaemonDeps): Route {
  return route(endpoints.sessionSandbox, {
    action: 'session.sandbox',
    handle(ctx) {
      const session = deps.sessions.ownedBy(ctx.params.id, ctx.attestation);
      const { pid } = ctx.body;
      if (session.sandbox)
        throw new AgentIdError('ERR_SESSION_SANDBOX', `session ${session.id} has a sandbox already`);
      const sandbox = verifySandbox(deps.procRoot, pid, {
        pid: session.rootPid,
        startTime: session.rootStartTime,
      });
      const pin = pinUserns(deps.procRoot, sandbox);
      const attached = pin && deps.sessions.attachSandbox(session.id, sandbox, pin);
      if (!attached) throw new AgentIdError('ERR_SESSION_SANDBOX', `the sandbox process ${pid} is gone`);
      return {
        audit: {
          decision: 'allow',
          resource: session.id,
          reason: `sandbox process ${pid}, user namespace ${sandbox.userns}`,
        },
        answer: { status: 200, body: { ...attached, membership: byAncestry(attached), sandboxed: false } },
      };
    },
  });
}
