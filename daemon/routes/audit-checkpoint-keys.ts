/**
 * GET /v1/audit/checkpoint-keys: every public key the daemon has ever signed with, for
 * `agentid audit verify --checkpoint`. Unlike /v1/jwks it keeps rotated-out keys for good, because
 * a checkpoint stays worth checking long after any token signed by the same key has expired.
 * Public data, so not audited.
 */
import { endpoints } from '../../src/protocol/index.js';
import type { DaemonDeps } from '../deps.js';
import { type Route, route } from '../route.js';

export function auditCheckpointKeysRoute(deps: DaemonDeps): Route {
  return route(endpoints.auditCheckpointKeys, {
    action: 'audit.checkpoint-keys',
    humanOptional: true,
    async handle() {
      return { audit: null, answer: { status: 200, body: await deps.signingKeys.verificationKeys() } };
    },
  });
}
