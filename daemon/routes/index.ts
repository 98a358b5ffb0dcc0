/**
 * Every route of the socket, one per endpoint of src/protocol/endpoints.ts (a test holds the two
 * to each other). daemon/main.ts serves them.
 */
import type { AwsContainerEndpoints } from '../aws-container.js';
import type { DaemonDeps } from '../deps.js';
import type { SessionGateways } from '../gateway/endpoints.js';
import type { Route } from '../route.js';
import { attestRoute } from './attest.js';
import { auditCheckpointRoute } from './audit-checkpoint.js';
import { auditCheckpointKeysRoute } from './audit-checkpoint-keys.js';
import { auditPruneRoute } from './audit-prune.js';
import { awsRoute } from './aws.js';
import { awsBaseKeysRoute } from './aws-base-keys.js';
import { awsContainerRoute } from './aws-container.js';
import { gatewayRoute } from './gateway.js';
import { gitCredentialRoute } from './git-credential.js';
import { gitHostsRoute } from './git-hosts.js';
import { jwksRoute } from './jwks.js';
import { keyRotateRoute } from './key-rotate.js';
import { loginRoutes } from './login.js';
import { logoutRoute } from './logout.js';
import { mcpDecideRoute } from './mcp-decide.js';
import { mcpListRoute } from './mcp-list.js';
import { mcpResultRoute } from './mcp-result.js';
import { mcpStartRoute } from './mcp-start.js';
import { policyPullRoute } from './policy-pull.js';
import { secretRoutes } from './secrets.js';
import { sessionCheckRoute } from './session-check.js';
import { sessionRoutes } from './sessions.js';
import { shutdownRoute } from './shutdown.js';
import { staticRoute } from './static.js';
import { statusRoute } from './status.js';
import { tokenRoute } from './token.js';
import { whoamiRoute } from './whoami.js';

/** The per-session doors that session routes open. */
export interface SessionDoors {
  awsContainers: AwsContainerEndpoints;
  gateways: SessionGateways;
}

export function daemonRoutes(deps: DaemonDeps, doors: SessionDoors): Route[] {
  return [
    statusRoute(deps),
    whoamiRoute(),
    attestRoute(deps),
    ...sessionRoutes(deps),
    sessionCheckRoute(deps),
    tokenRoute(deps),
    jwksRoute(deps),
    keyRotateRoute(deps),
    shutdownRoute(deps),
    ...secretRoutes(deps),
    ...loginRoutes(deps),
    logoutRoute(deps),
    auditPruneRoute(deps),
    auditCheckpointRoute(deps),
    auditCheckpointKeysRoute(deps),
    awsRoute(deps),
    awsBaseKeysRoute(deps),
    awsContainerRoute(deps, doors.awsContainers),
    gatewayRoute(deps, doors.gateways),
    gitCredentialRoute(deps),
    gitHostsRoute(deps),
    staticRoute(deps),
    mcpStartRoute(deps),
    mcpDecideRoute(deps),
    mcpListRoute(deps),
    mcpResultRoute(),
    policyPullRoute(deps),
  ];
}
