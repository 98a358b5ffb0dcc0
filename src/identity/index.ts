/** Public door of identity: who the human behind a request is. */
export { type HumanSource, localHumanSource } from './human-source.js';
export { localHuman } from './local.js';
export type { LoginFlows, OidcSession } from './oidc/index.js';

/**
 * SSO (openid-client, jose), loaded only where `[idp]` is configured: a daemon of the local OS
 * user does not carry the OIDC relying party in its memory.
 */
export function loadOidc(): Promise<typeof import('./oidc/index.js')> {
  return import('./oidc/index.js');
}
export { REFRESH_TOKEN_SECRET } from './refresh-token.js';
