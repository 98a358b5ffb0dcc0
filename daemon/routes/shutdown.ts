/** POST /v1/shutdown: `agentid daemon stop`. Answers first, then stops gracefully. */
import type { DaemonDeps } from '../deps.js';
import type { Route } from '../route.js';

export function shutdownRoute(deps: DaemonDeps): Route {
  return {
    method: 'POST',
    pattern: '/v1/shutdown',
    manages: true,
    action: 'shutdown',
    humanOptional: true,
    handle() {
      return {
        audit: { decision: 'allow' },
        answer: { status: 202, body: { stopping: true, pid: deps.pid }, after: deps.requestShutdown },
      };
    },
  };
}
