/**
 * The credential a gateway route attaches, from the route's `[credentials.<name>]`: a static
 * secret, a JWT whose audience is the route's upstream, or a GitHub App token narrowed to the
 * repository in the request path. Issued through the providers like on the socket but kept in
 * the gateway's own cache, whose shorter refresh margin lets a static secret serve a minute of
 * requests instead of a keychain read per request. The value goes into the header only; what
 * comes back is safe to audit (fingerprint, expiry, non-secret details).
 */
import type { HttpRouteConfig } from '../../src/config/index.js';
import { AgentIdError } from '../../src/errors.js';
import { type Attachment, repoOfRequest } from '../../src/gateway/index.js';
import {
  type CredentialCache,
  githubAppProvider,
  type Issued,
  type Provider,
  staticProvider,
} from '../../src/providers/index.js';
import type { DaemonDeps } from '../deps.js';
import type { Caller } from '../identify.js';
import { jwtProviderFor } from '../issue.js';

export interface RouteCredential {
  attachment: Attachment;
  issued: Issued<unknown>;
  cached: boolean;
}

interface Source {
  provider: Provider<unknown>;
  scope: string;
  /** The secret and, for {basic}, its username. */
  read(value: unknown): { secret: string; username: string | null };
}

export async function routeCredential(
  deps: DaemonDeps,
  cache: CredentialCache,
  caller: Caller,
  route: HttpRouteConfig,
  /** The request path, relative to the route's prefix. */
  pathname: string,
): Promise<RouteCredential> {
  const source = sourceOf(deps, route, pathname);
  const { issued, cached } = await cache.get(
    { credential: route.credential, agent: caller.agent.name, human: caller.human.sub, scope: source.scope },
    () =>
      source.provider.issue({
        credential: route.credential,
        agent: caller.agent.name,
        human: caller.human.sub,
        scope: source.scope,
      }),
  );
  const { secret, username } = source.read(issued.value);
  const basic = Buffer.from(`${username ?? ''}:${secret}`).toString('base64');
  // A function replacer: a `$&` in a secret must stay literal.
  const value = route.format.replace('{value}', () => secret).replace('{basic}', () => basic);
  const secrets = route.format.includes('{basic}') ? [secret, basic, value] : [secret, value];
  return { attachment: { header: route.header, value, secrets }, issued, cached };
}

function sourceOf(deps: DaemonDeps, route: HttpRouteConfig, pathname: string): Source {
  const credential = deps.config.credentials.find((c) => c.name === route.credential);
  switch (credential?.type) {
    case 'static':
      return {
        provider: staticProvider({ credential, secrets: deps.secrets, now: deps.now }),
        scope: '',
        read: (value) => ({ secret: value as string, username: credential.username }),
      };
    case 'jwt':
      return {
        provider: jwtProviderFor(deps, credential),
        // The token is for the upstream it is sent to, and no other.
        scope: route.upstream,
        read: (value) => ({ secret: value as string, username: null }),
      };
    case 'github-app':
      return {
        provider: githubAppProvider({ credential, secrets: deps.secrets, now: deps.now, fetch: deps.fetch }),
        scope: repoOfRequest(pathname.slice(route.pathPrefix.length)),
        read: (value) => {
          const password = value as { username: string; password: string };
          return { secret: password.password, username: password.username };
        },
      };
    default:
      // Config validation refuses these; a route built by hand still fails closed.
      throw new AgentIdError(
        'ERR_CREDENTIAL_TYPE',
        `route ${route.name}: credential ${route.credential} cannot be attached by the gateway`,
      );
  }
}
