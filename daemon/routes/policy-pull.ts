/**
 * POST /v1/policy/pull: `agentid policy pull`, the git policy source fetched and checked now. It
 * changes what every agent may get, so it is refused inside an exec session like the other
 * management routes. One audit row, the caller's, whatever the outcome; the answer names it.
 */
import { AgentIdError } from '../../src/errors.js';
import { endpoints, type PolicyPullResponse } from '../../src/protocol/index.js';
import type { DaemonDeps } from '../deps.js';
import { type Route, route } from '../route.js';
import { pullFacts } from '../team-audit.js';

export function policyPullRoute(deps: DaemonDeps): Route {
  return route(endpoints.policyPull, {
    action: 'policy.pull',
    manages: true,
    async handle() {
      const git = deps.policyGit;
      if (!git) {
        throw new AgentIdError(
          'ERR_POLICY_GIT_NOT_CONFIGURED',
          'no [policy] git repository is configured; policies come from the policy dir (see README, Team setup)',
        );
      }
      const outcome = await git.pull();
      const status = git.status();
      return {
        audit: pullFacts(outcome, status),
        respond: (row) => {
          const body: PolicyPullResponse = {
            outcome: outcome.outcome,
            commit: outcome.commit,
            previous: outcome.outcome === 'applied' ? outcome.previous : null,
            error: outcome.outcome === 'refused' ? outcome.error.toJSON() : null,
            git: status,
            auditSeq: row.seq,
          };
          return { status: 200, body };
        },
      };
    },
  });
}
