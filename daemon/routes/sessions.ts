/**
 * /v1/sessions: `agentid exec` registers the session it roots (itself, by pid and start time as
 * attested — never as claimed in the body) and ends it when its child exits. Processes in its
 * sandbox, or below its root, then carry the session's agent name and human (src/sessions). A
 * session started inside another is bound by it: its bounds are the outer session's, plus the
 * agent that started it and the agent it declares, and every request is decided for all of them.
 */
import { validateAgentName } from '../../src/agents/index.js';
import { AgentIdError } from '../../src/errors.js';
import { endpoints, type SessionView } from '../../src/protocol/index.js';
import { byAncestry, type SessionRecord } from '../../src/sessions/index.js';
import type { DaemonDeps } from '../deps.js';
import { describe } from '../identify.js';
import { type Route, route } from '../route.js';

export function sessionRoutes(deps: DaemonDeps): Route[] {
  return [
    route(endpoints.sessionStart, {
      action: 'session.start',
      handle(ctx) {
        const request = ctx.body;
        if (request.agent !== null) validateAgentName(request.agent);
        const outer = ctx.session;
        if (outer && !request.nest) {
          throw new AgentIdError(
            'ERR_SESSION_NESTED',
            `already inside session ${outer.id} (agent ${outer.agent ?? 'undeclared'}); pass --nest to start one inside it`,
          );
        }
        deps.sessions.prune(deps.processAlive);
        const bounds = [
          ...(outer ? [...outer.bounds, ctx.agent.name] : []),
          ...(request.agent ? [request.agent] : []),
        ];
        const record: SessionRecord = {
          id: deps.randomUUID(),
          agent: request.agent,
          human: ctx.human,
          rootPid: ctx.attestation.pid,
          rootStartTime: ctx.attestation.startTime,
          startedAt: deps.now().toISOString(),
          parent: outer?.id ?? null,
          bounds: [...new Set(bounds)],
          subreaper: request.subreaper,
          sandbox: null,
        };
        deps.sessions.add(record);
        const session: SessionView = {
          ...record,
          membership: byAncestry(record),
          sandboxed: outer?.sandboxed ?? false,
        };
        return {
          audit: {
            decision: 'allow',
            // Named as a member of the session it just rooted, as every later row of the session is.
            agent: describe(deps, ctx.attestation).agent.name,
            resource: session.id,
            reason:
              `declared agent ${session.agent ?? '(none)'}; held by ${session.membership}` +
              (outer ? `; inside session ${outer.id}, bound by ${session.bounds.join(', ')}` : ''),
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
        const { id } = ctx.params;
        // Only the exec process that rooted a session ends it: an agent inside cannot drop it.
        deps.sessions.ownedBy(id, ctx.attestation);
        deps.sessions.remove(id);
        return {
          audit: { decision: 'allow', resource: id },
          answer: { status: 200, body: { id, ended: true } },
        };
      },
    }),
  ];
}
