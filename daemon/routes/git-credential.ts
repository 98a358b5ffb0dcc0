/**
 * POST /v1/git/credential: what the git credential helper asks for a `get`. The host picks the
 * credential configured for it (none: `served: false`, and the helper stays silent so git asks
 * the next helper). Policy action `git` on that credential, with the git host and repository in
 * the request context; a github-app token is narrowed to that one repository. In text mode (the
 * thin sh helper, src/protocol/types.ts) the body is git's own input and the answer git's output.
 */
import { type CredentialConfig, gitHostsOf } from '../../src/config/index.js';
import { AgentIdError } from '../../src/errors.js';
import {
  answerText,
  credentialRequest,
  endpoints,
  GIT_TEXT_CREDENTIAL_LINE,
  type GitCredentialRequest,
  type GitCredentialResponse,
  parseCredentialInput,
  requestChecks,
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
  const json = route(endpoints.gitCredential, {
    action: 'git',
    async handle(ctx) {
      const { audit, response } = await serve(deps, ctx, ctx.body);
      return { audit, answer: { status: 200, body: response } };
    },
  });
  // Text mode is another encoding of the same endpoint: its string body is not the JSON the
  // endpoint's check reads, so it is decoded here and then held to that same check.
  return {
    ...json,
    async handle(ctx) {
      if (typeof ctx.body !== 'string') return json.handle(ctx);
      const { audit, text } = await answerGitText(deps, ctx, ctx.body);
      return { audit, answer: { status: 200, body: text } };
    },
  };
}

async function serve(deps: DaemonDeps, ctx: Caller, request: GitCredentialRequest) {
  const host = request.host.toLowerCase();
  const credential = deps.config.credentials.find(
    (c) => gitHostsOf(c).includes(host) && (request.credential ?? c.name) === c.name,
  );
  if (!credential) {
    if (request.credential !== undefined) throw notForHost(deps, request.credential, host);
    // Not a decision: git asks the next helper.
    return { audit: null, response: { served: false } satisfies GitCredentialResponse };
  }
  const { issued, audit } = await issueForGit(deps, ctx, credential, { ...request, host });
  const response: GitCredentialResponse = {
    served: true,
    credential: credential.name,
    username: issued.value.username,
    password: issued.value.password,
    expiresAt: issued.expiresAt.toISOString(),
  };
  return { audit, response };
}

/** Text mode: what the Node helper does with git's input and the answer, done here for sh. */
async function answerGitText(deps: DaemonDeps, ctx: Caller, text: string) {
  let credential: string | undefined;
  let gitInput = text;
  if (text.startsWith(GIT_TEXT_CREDENTIAL_LINE)) {
    const end = text.indexOf('\n');
    credential = text.slice(GIT_TEXT_CREDENTIAL_LINE.length, end === -1 ? undefined : end);
    gitInput = end === -1 ? '' : text.slice(end + 1);
  }
  const input = parseCredentialInput(gitInput);
  const request = credentialRequest(input, credential);
  if (!request) return { audit: null, text: '' };
  const { audit, response } = await serve(deps, ctx, requestChecks.gitCredential(request));
  return { audit, text: answerText(response, input.capabilities) };
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
