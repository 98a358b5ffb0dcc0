/**
 * POST /v1/audit/checkpoint: `agentid audit checkpoint`. The daemon, the log's only writer, records
 * the request first and then signs the chain head, which is that very row: the checkpoint covers
 * the record of who took it. The signature is over the daemon's own head, never over a seq or hash
 * from the request, so no caller can get a forged state signed.
 */

import { type CheckpointDocument, signCheckpoint } from '../../src/audit/index.js';
import { endpoints } from '../../src/protocol/index.js';
import type { DaemonDeps } from '../deps.js';
import { type Route, route } from '../route.js';

export function auditCheckpointRoute(deps: DaemonDeps): Route {
  return route(endpoints.auditCheckpoint, {
    action: 'audit.checkpoint',
    async handle() {
      // Loaded before the row is written, so a keychain failure leaves no "allow" row behind.
      const key = await deps.signingKeys.current();
      return {
        audit: { decision: 'allow', resource: 'audit-log', reason: `chain head signed with kid ${key.kid}` },
        // The head is this request's own row, committed by now.
        respond: async (head) => {
          const body: CheckpointDocument = await signCheckpoint(
            { seq: head.seq, hash: head.hash, time: head.time, iss: deps.config.jwt.issuer },
            key,
          );
          return { status: 200, body };
        },
      };
    },
  });
}
