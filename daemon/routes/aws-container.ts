/**
 * POST /v1/sessions/:id/aws (`agentid exec --aws NAME`): opens the session's AWS container
 * credentials endpoint (daemon/aws-container.ts). Only the process that rooted the session may,
 * the same rule as ending it; the endpoint then decides every credential it serves on its own.
 */
import { AgentIdError } from '../../src/errors.js';
import { endpoints } from '../../src/protocol/index.js';
import type { AwsContainerEndpoints } from '../aws-container.js';
import type { DaemonDeps } from '../deps.js';
import { findCredential } from '../issue.js';
import { type Route, route } from '../route.js';

export function awsContainerRoute(deps: DaemonDeps, containers: AwsContainerEndpoints): Route {
  return route(endpoints.sessionAws, {
    action: 'aws.container.start',
    async handle(ctx) {
      const { id } = ctx.params;
      const session = deps.sessions.find({
        pid: ctx.attestation.pid,
        startTime: ctx.attestation.startTime,
        ancestors: [],
      });
      if (session?.id !== id) {
        throw new AgentIdError(
          'ERR_SESSION_NOT_FOUND',
          `no session ${id.slice(0, 64)} rooted at this process`,
        );
      }
      const credential = findCredential(deps, ctx.body.credential, 'aws');
      const opened = await containers.open(session, credential.name, credential.region);
      return {
        audit: {
          decision: 'allow',
          resource: credential.name,
          reason: `container endpoint for session ${session.id} on ${opened.uri}`,
        },
        answer: { status: 201, body: opened },
      };
    },
  });
}
