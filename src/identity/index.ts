/** Public door of identity: who the human behind a request is. */
export { type HumanSource, localHumanSource } from './human-source.js';
export { localHuman } from './local.js';
export { createIdpClient, LoginFlows, OidcSession, REFRESH_TOKEN_SECRET } from './oidc/index.js';
