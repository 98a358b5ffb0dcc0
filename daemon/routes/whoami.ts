/**
 * GET /v1/whoami: what the daemon sees of the caller. Audited as an `identify` event, so the log
 * shows every process that asked who it is.
 */
import { localHuman } from '../../src/identity/index.js';
import type { WhoamiResponse } from '../../src/protocol/index.js';
import type { DaemonDeps } from '../deps.js';
import { peerEvent } from '../peer-event.js';
import type { Route } from '../route.js';

export function whoamiRoute(deps: DaemonDeps): Route {
  return {
    method: 'GET',
    pattern: '/v1/whoami',
    action: 'identify',
    handle(ctx) {
      const { peer, exe } = ctx;
      const human = localHuman(deps.user, deps.host);
      const agent = 'unknown';
      const row = deps.audit.append(
        peerEvent(ctx, {
          action: 'identify',
          decision: 'allow',
          agent,
          human: human.sub,
          latencyMs: ctx.elapsedMs(),
        }),
      );
      const body: WhoamiResponse = {
        peer: { pid: peer.pid, uid: peer.uid, gid: peer.gid, exe, pidfd: peer.pidfd !== null },
        agent,
        human,
        auditSeq: row.seq,
      };
      return { status: 200, body };
    },
  };
}
