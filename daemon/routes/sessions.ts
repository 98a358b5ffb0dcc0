/**
 * /v1/sessions: `agentid exec` registers the session it roots (itself, by pid and start time as
 * attested — never as claimed in the body) and ends it when its child exits. Processes whose
 * ancestry reaches the root then carry the session's agent name and human.
 */
import { validateAgentName } from '../../src/agents/index.js';
import { AgentIdError } from '../../src/errors.js';
import { endpoints } from '../../src/protocol/index.js';
import type { Session } from '../../src/sessions/index.js';
import type { DaemonDeps } from '../deps.js';
import { describe } from '../identify.js';
import { type Route, route } from '../route.js';
import { sessionRootedAt } from '../session-root.js';

export function sessionRoutes(deps: DaemonDeps): Route[] {
  return [
    route(endpoints.sessionStart, {
      action: 'session.start',
      handle(ctx) {
        const request = ctx.body;
        if (request.agent !== null) validateAgentName(request.agent);
        if (ctx.session && !request.nest) {
          throw new AgentIdError(
            'ERR_SESSION_NESTED',
            `already inside session ${ctx.session.id} (agent ${ctx.session.agent ?? 'undeclared'}); pass --nest to start one inside it`,
          );
        }
        deps.sessions.prune(deps.processAlive);
        const session: Session = {
          id: deps.randomUUID(),
          agent: request.agent,
          human: ctx.human,
          rootPid: ctx.attestation.pid,
          rootStartTime: ctx.attestation.startTime,
          startedAt: deps.now().toISOString(),
        };
        deps.sessions.add(session);
        return {
          audit: {
            decision: 'allow',
            // Named as a member of the session it just rooted, as every later row of the session is.
            agent: describe(deps, ctx.attestation).agent.name,
            resource: session.id,
            reason: `declared agent ${session.agent ?? '(none)'}`,
          },
          answer: { status: 201, body: session },
        };
      },
    }),
    route(endpoints.sessionEnd, {
      action: 'session.end',
      // The exec wrapper must be able to end its session after the login is lost.
      humanOptional: true,
      handle(ctx) {
        // Only the exec process that rooted a session ends it: an agent inside cannot drop it.
        const { id } = sessionRootedAt(deps, ctx, ctx.params.id);
        deps.sessions.remove(id);
        return {
          audit: { decision: 'allow', resource: id },
          answer: { status: 200, body: { id, ended: true } },
        };
      },
    }),
  ];
}
