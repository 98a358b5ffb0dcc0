/**
 * The `github-app` provider: an installation access token narrowed to the one repository git asked
 * for (the scope, `owner/repo`) and to the configured permissions. It lives an hour at most (GitHub
 * sets `expires_at`); git uses it as the password of the user `x-access-token`.
 */
import { createHash } from 'node:crypto';
import type { GithubAppCredentialConfig } from '../../config/index.js';
import { AgentIdError } from '../../errors.js';
import type { SecretStore } from '../../secrets/index.js';
import type { Issued, IssueRequest, Provider } from '../types.js';
import { createAccessToken, findInstallation } from './api.js';
import { readAppKey, signAppJwt } from './app-jwt.js';

/** What git gets: a username and password for HTTP Basic auth. */
export interface GitPassword {
  username: string;
  password: string;
}

export const GITHUB_TOKEN_USERNAME = 'x-access-token';

export interface GithubAppProviderOptions {
  credential: GithubAppCredentialConfig;
  secrets: () => Promise<SecretStore>;
  now: () => Date;
  fetch: typeof fetch;
}

export function githubAppProvider(options: GithubAppProviderOptions): Provider<GitPassword> {
  const { credential } = options;
  const api = { apiUrl: credential.apiUrl, timeoutMs: credential.timeoutMs, fetch: options.fetch };
  return {
    type: 'git',
    async issue(request: IssueRequest): Promise<Issued<GitPassword>> {
      const [owner, name] = request.scope.split('/');
      if (!owner || !name) {
        throw new AgentIdError('ERR_GIT_NO_PATH', `scope ${request.scope} is not owner/repo`);
      }
      const pem = await (await options.secrets()).get(credential.privateKey);
      if (pem === undefined) {
        throw new AgentIdError(
          'ERR_GITHUB_KEY',
          `the App's private key is not set: agentid secret set ${credential.privateKey} < key.pem`,
        );
      }
      const appJwt = await signAppJwt(
        credential.appId,
        readAppKey(pem, credential.privateKey),
        options.now(),
      );
      const installationId =
        credential.installationId ?? (await findInstallation(api, appJwt, request.scope));
      const answer = await createAccessToken(api, appJwt, installationId, {
        repositories: [name],
        permissions: credential.permissions,
      });
      const granted = answer.permissions ?? credential.permissions;
      return {
        value: { username: GITHUB_TOKEN_USERNAME, password: answer.token },
        expiresAt: new Date(answer.expires_at),
        // GitHub's own audit log records sha256 of the token too, so rows can be matched.
        fingerprint: createHash('sha256').update(answer.token).digest('hex'),
        details: {
          repository: request.scope,
          installation: String(installationId),
          permissions: Object.entries(granted)
            .map(([k, v]) => `${k}:${v}`)
            .join(','),
        },
      };
    },
  };
}
