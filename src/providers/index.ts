/** Public door of the credential providers: the contract, the cache, and one file per type. */
export { baseKeyWarnings } from './aws/base-keys.js';
export { type AwsCredentials, awsProvider, baseKeyNames } from './aws/provider.js';
export { CredentialCache, DEFAULT_REFRESH_MARGIN_MS } from './cache.js';
export {
  GITHUB_TOKEN_USERNAME,
  type GitPassword,
  githubAppProvider,
} from './github-app/provider.js';
export { repoFromGitPath } from './github-app/repo-path.js';
export { SIGNING_KEYS_SECRET, SigningKeys } from './jwt/keys.js';
export {
  agentUri,
  DEFAULT_ISSUER,
  DEFAULT_TTL_SECONDS,
  jwtProvider,
  MAX_TTL_SECONDS,
} from './jwt/provider.js';
export { STATIC_LEASE_SECONDS, staticProvider } from './static/provider.js';
export type { CredentialType, Issued, IssueRequest, Provider } from './types.js';
