/**
 * POST /v1/audit/prune: `agentid audit prune`, retention applied now rather than at the next
 * daily run. It prunes only what `[audit] retain_days` (read at daemon start) allows, never a
 * cutoff from the request: any process of this uid can call the socket, agents included, and
 * none of them may shorten the record of what it did.
 */
import { type AuditPruneResponse, endpoints } from '../../src/protocol/index.js';
import type { DaemonDeps } from '../deps.js';
import { pruneOlderThan } from '../retention.js';
import { type Route, route } from '../route.js';

export function auditPruneRoute(deps: DaemonDeps): Route {
  return route(endpoints.auditPrune, {
    action: 'audit.prune',
    handle() {
      const retainDays = deps.config.audit.retainDays;
      const { pruned, anchor } = pruneOlderThan(deps, retainDays);
      const body: AuditPruneResponse = { retainDays, pruned, anchor };
      // Recorded after the prune, so the row itself always survives it.
      return {
        audit: { decision: 'allow', reason: `retain_days ${retainDays}: pruned ${pruned} rows` },
        answer: { status: 200, body },
      };
    },
  });
}
