/**
 * POST /v1/sessions/:id/aws (`agentid exec --aws NAME`): opens the session's AWS container
 * credentials endpoint (daemon/aws-container.ts). Only the process that rooted the session may,
 * the same rule as ending it; the endpoint then decides every credential it serves on its own.
 */
import { endpoints } from '../../src/protocol/index.js';
import type { AwsContainerEndpoints } from '../aws-container.js';
import type { DaemonDeps } from '../deps.js';
import { findCredential } from '../issue.js';
import { type Route, route } from '../route.js';
import { sessionRootedAt } from '../session-root.js';

export function awsContainerRoute(deps: DaemonDeps, containers: AwsContainerEndpoints): Route {
  return route(endpoints.sessionAws, {
    action: 'aws.container.start',
    async handle(ctx) {
      const session = sessionRootedAt(deps, ctx, ctx.params.id);
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
