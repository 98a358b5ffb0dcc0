/**
 * GET /v1/git/hosts/:credential: the hosts a git credential serves, for `agentid exec --git NAME`,
 * which points the child's git at the helper for exactly those hosts. The daemon's config is the
 * one that counts, so the CLI asks it rather than reading config.toml again. Not a decision (the
 * helper's requests are): no audit row.
 */
import { gitHostsOf } from '../../src/config/index.js';
import { AgentIdError } from '../../src/errors.js';
import { endpoints } from '../../src/protocol/index.js';
import type { DaemonDeps } from '../deps.js';
import { type Route, route } from '../route.js';

export function gitHostsRoute(deps: DaemonDeps): Route {
  return route(endpoints.gitHosts, {
    action: 'git.hosts',
    handle(ctx) {
      const name = ctx.params.credential;
      const credential = deps.config.credentials.find((c) => c.name === name);
      if (!credential) {
        throw new AgentIdError(
          'ERR_CREDENTIAL_UNKNOWN',
          `no credential named ${name.slice(0, 64)} in config.toml`,
        );
      }
      const hosts = gitHostsOf(credential);
      if (hosts.length === 0) {
        throw new AgentIdError(
          'ERR_CREDENTIAL_TYPE',
          `${name} is not a git credential (a github-app, or a static one with a host)`,
        );
      }
      return { audit: null, answer: { status: 200, body: { credential: name, hosts } } };
    },
  });
}
