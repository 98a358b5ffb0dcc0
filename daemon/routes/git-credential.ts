/**
 * POST /v1/git/credential: what the git credential helper asks for a `get`. The host picks the
 * credential configured for it (none: `served: false`, and the helper stays silent so git asks
 * the next helper). Policy action `git` on that credential, with the git host and repository in
 * the request context; a github-app token is narrowed to that one repository.
 */
import { type CredentialConfig, gitHostsOf } from '../../src/config/index.js';
import { AgentIdError } from '../../src/errors.js';
import {
  endpoints,
  type GitCredentialRequest,
  type GitCredentialResponse,
} from '../../src/protocol/index.js';
import {
  type GitPassword,
  githubAppProvider,
  repoFromGitPath,
  staticProvider,
} from '../../src/providers/index.js';
import type { DaemonDeps } from '../deps.js';
import type { Caller } from '../identify.js';
import { issueCredential } from '../issue.js';
import { type Route, route } from '../route.js';

export function gitCredentialRoute(deps: DaemonDeps): Route {
  return route(endpoints.gitCredential, {
    action: 'git',
    async handle(ctx) {
      const request = ctx.body;
      const host = request.host.toLowerCase();
      const credential = deps.config.credentials.find(
        (c) => gitHostsOf(c).includes(host) && (request.credential ?? c.name) === c.name,
      );
      if (!credential) {
        if (request.credential !== undefined) throw notForHost(deps, request.credential, host);
        // Not a decision: git asks the next helper.
        return {
          audit: null,
          answer: { status: 200, body: { served: false } satisfies GitCredentialResponse },
        };
      }
      const { issued, audit } = await issueForGit(deps, ctx, credential, { ...request, host });
      const body: GitCredentialResponse = {
        served: true,
        credential: credential.name,
        username: issued.value.username,
        password: issued.value.password,
        expiresAt: issued.expiresAt.toISOString(),
      };
      return { audit, answer: { status: 200, body } };
    },
  });
}

async function issueForGit(
  deps: DaemonDeps,
  ctx: Caller,
  credential: CredentialConfig,
  { protocol, host, path }: GitCredentialRequest,
) {
  if (credential.type === 'github-app') {
    // Before policy: a request that cannot be narrowed is a setup error, not a decision.
    const repo = repoFromGitPath(path);
    return issueCredential<GitPassword>(deps, ctx, {
      credential,
      provider: githubAppProvider({ credential, secrets: deps.secrets, now: deps.now, fetch: deps.fetch }),
      scope: repo,
      // What the token will be good for is part of the decision: `gitScope` is the one repository.
      request: { gitProtocol: protocol, gitHost: host, gitPath: repo, gitScope: `repo:${repo}` },
    });
  }
  if (credential.type === 'static' && credential.username) {
    const { username } = credential;
    const { issued, ...rest } = await issueCredential(deps, ctx, {
      credential,
      action: 'git',
      provider: staticProvider({ credential, secrets: deps.secrets, now: deps.now }),
      scope: host,
      request: { gitProtocol: protocol, gitHost: host, gitPath: path, gitScope: `host:${host}` },
    });
    return { ...rest, issued: { ...issued, value: { username, password: issued.value } } };
  }
  throw new AgentIdError('ERR_CREDENTIAL_TYPE', `credential ${credential.name} cannot serve git`);
}

/** The helper was set up for a credential that does not serve this host: say which hosts it does. */
function notForHost(deps: DaemonDeps, name: string, host: string): AgentIdError {
  const named = deps.config.credentials.find((c) => c.name === name);
  if (!named) return new AgentIdError('ERR_CREDENTIAL_UNKNOWN', `no credential named ${name.slice(0, 64)}`);
  const hosts = gitHostsOf(named);
  return new AgentIdError(
    'ERR_CREDENTIAL_TYPE',
    `credential ${name} does not serve git host ${host} (${hosts.length ? `its hosts: ${hosts.join(', ')}` : 'it serves no git host'}); ` +
      'add the host to its config or run agentid setup git for the right credential',
  );
}
