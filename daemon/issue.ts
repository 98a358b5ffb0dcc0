/**
 * The one path every credential takes out of the daemon: policy decides, the cache or the
 * provider supplies, and the audit facts (decision, determining policies, fingerprint, expiry)
 * come back with the credential, for the row the pipeline commits before the credential is sent
 * (SECURITY.md invariant 4). A deny is thrown by requireAllowed() with its facts; a provider failure is
 * recorded by the pipeline as an error row.
 */
import { type CredentialConfig, gitHostsOf, type JwtCredentialConfig } from '../src/config/index.js';
import { AgentIdError } from '../src/errors.js';
import type { PolicyAction } from '../src/policy/index.js';
import { type Issued, jwtProvider, type Provider } from '../src/providers/index.js';
import { requireAllowed } from './authorize.js';
import type { DaemonDeps } from './deps.js';
import type { Caller } from './identify.js';
import type { AuditFacts } from './outcome.js';

export interface IssueInput<T> {
  credential: CredentialConfig;
  provider: Provider<T>;
  /** What the credential is narrowed to (audience, repo, ...): part of the cache key. */
  scope: string;
  /** Request attributes for policy (`request` in the Cedar context). */
  request: Record<string, string | undefined>;
  /** Policy action when it is not the credential's own kind (a static secret used by git: `git`). */
  action?: PolicyAction;
}

export interface IssueResult<T> {
  issued: Issued<T>;
  cached: boolean;
  /** The row to commit before the credential leaves the daemon. */
  audit: AuditFacts;
}

export async function issueCredential<T>(
  deps: DaemonDeps,
  ctx: Caller,
  input: IssueInput<T>,
): Promise<IssueResult<T>> {
  const { credential } = input;
  const action = input.action ?? (credential.type === 'github-app' ? 'git' : credential.type);
  const decision = requireAllowed(deps, ctx, { name: credential.name, type: action }, input.request);
  const result = await deps.credentialCache.get<T>(
    { credential: credential.name, agent: ctx.agent.name, human: ctx.human.sub, scope: input.scope },
    () =>
      input.provider.issue({
        credential: credential.name,
        agent: ctx.agent.name,
        human: ctx.human.sub,
        scope: input.scope,
      }),
  );
  const { issued } = result;
  const audit: AuditFacts = {
    action,
    decision: 'allow',
    resource: credential.name,
    reason: `${decision.reason}; ${Object.entries(issued.details)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}${result.cached ? ' (cached)' : ''}`,
    policyIds: decision.policyIds,
    credentialFingerprint: issued.fingerprint,
    // A long-lived secret does not expire: its lease is no expiry of the secret.
    expiresAt: issued.longLived ? null : issued.expiresAt,
  };
  return { audit, ...result };
}

/** The named credential, checked to be of the type the route serves. */
export function findCredential<K extends CredentialConfig['type']>(
  deps: DaemonDeps,
  name: string,
  type: K,
): Extract<CredentialConfig, { type: K }> {
  const credential = deps.config.credentials.find((c) => c.name === name);
  if (!credential) {
    const known = deps.config.credentials.map((c) => c.name).join(', ');
    throw new AgentIdError(
      'ERR_CREDENTIAL_UNKNOWN',
      `no credential named ${name.slice(0, 64)} (configured: ${known})`,
    );
  }
  if (credential.type !== type) {
    throw new AgentIdError(
      'ERR_CREDENTIAL_TYPE',
      `credential ${name} is of type ${credential.type}, not ${type}`,
    );
  }
  return credential as Extract<CredentialConfig, { type: K }>;
}

/** The named credential that serves git, with its hosts (a github-app, or a static one with a host). */
export function findGitCredential(
  deps: DaemonDeps,
  name: string,
): { credential: CredentialConfig; hosts: string[] } {
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
  return { credential, hosts };
}

/** A `jwt` credential's provider: tokens signed with the daemon's keys, for its issuer. */
export function jwtProviderFor(deps: DaemonDeps, credential: JwtCredentialConfig): Provider<string> {
  return jwtProvider({
    keys: deps.signingKeys,
    issuer: deps.config.jwt.issuer,
    ttlSeconds: credential.ttlSeconds,
    now: deps.now,
    randomUUID: deps.randomUUID,
  });
}
