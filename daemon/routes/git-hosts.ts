/**
 * GET /v1/git/hosts/:credential: the hosts a git credential serves, for `agentid exec --git NAME`,
 * which points the child's git at the helper for exactly those hosts. The daemon's config is the
 * one that counts, so the CLI asks it rather than reading config.toml again. Not a decision (the
 * helper's requests are): no audit row.
 */
import { endpoints } from '../../src/protocol/index.js';
import type { DaemonDeps } from '../deps.js';
import { findGitCredential } from '../issue.js';
import { type Route, route } from '../route.js';

export function gitHostsRoute(deps: DaemonDeps): Route {
  return route(endpoints.gitHosts, {
    action: 'git.hosts',
    handle(ctx) {
      const name = ctx.params.credential;
      const { hosts } = findGitCredential(deps, name);
      return { audit: null, answer: { status: 200, body: { credential: name, hosts } } };
    },
  });
}
