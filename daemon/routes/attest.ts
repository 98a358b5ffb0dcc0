/**
 * GET /v1/attest/:pid: what the daemon would make of another process of the same user
 * (`agentid attest --pid N`, for writing selectors). Pinned by start time, since there is no
 * connection to take a pidfd from. Audited as `attest` with the pid as resource.
 */
import { AgentIdError } from '../../src/errors.js';
import { endpoints, type IdentityView } from '../../src/protocol/index.js';
import type { DaemonDeps } from '../deps.js';
import { describe } from '../identify.js';
import { type Route, route } from '../route.js';

export function attestRoute(deps: DaemonDeps): Route {
  return route(endpoints.attest, {
    action: 'attest',
    async handle(ctx) {
      const raw = ctx.params.pid ?? '';
      const pid = Number(raw);
      if (!/^[1-9]\d{0,9}$/.test(raw)) throw new AgentIdError('ERR_USAGE', `not a pid: ${raw.slice(0, 20)}`);
      const attestation = await deps.attestor.attestPid(pid);
      if (attestation.uid !== deps.uid) {
        throw new AgentIdError(
          'ERR_ATTEST_FOREIGN',
          `pid ${pid} belongs to uid ${attestation.uid}, not to you`,
        );
      }
      const body: IdentityView = describe(deps, attestation);
      return { audit: { decision: 'allow', resource: `pid:${pid}` }, answer: { status: 200, body } };
    },
  });
}
