/** POST /v1/shutdown: `agentid daemon stop`. Answers first, then stops gracefully. */
import { endpoints } from '../../src/protocol/index.js';
import type { DaemonDeps } from '../deps.js';
import { type Route, route } from '../route.js';

export function shutdownRoute(deps: DaemonDeps): Route {
  return route(endpoints.shutdown, {
    manages: true,
    action: 'shutdown',
    humanOptional: true,
    handle() {
      return {
        audit: { decision: 'allow' },
        answer: { status: 202, body: { stopping: true, pid: deps.pid }, after: deps.requestShutdown },
      };
    },
  });
}
