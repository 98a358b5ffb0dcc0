/** GET /v1/status: is the daemon up, where, since when. Not a decision, so not audited. */
import { endpoints, type StatusResponse } from '../../src/protocol/index.js';
import type { DaemonDeps } from '../deps.js';
import { type Route, route } from '../route.js';

export function statusRoute(deps: DaemonDeps): Route {
  return route(endpoints.status, {
    action: 'status',
    humanOptional: true,
    handle() {
      const now = deps.now();
      const body: StatusResponse = {
        version: deps.version,
        pid: deps.pid,
        uid: deps.uid,
        startedAt: deps.startedAt.toISOString(),
        uptimeMs: now.getTime() - deps.startedAt.getTime(),
        socket: deps.paths.socket,
        auditDb: deps.paths.auditDb,
        connections: deps.connections(),
        secrets: deps.secretsStatus(),
        signingKey: deps.signingKeys.storage,
        login: deps.humans.status(),
        policy: deps.policy.status(),
        config: deps.configStatus(),
        auditShip: deps.auditShip.status(),
        policyGit: deps.policyGit?.status() ?? null,
      };
      return { audit: null, answer: { status: 200, body } };
    },
  });
}
