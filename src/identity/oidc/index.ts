/** Public door of SSO login: the OIDC relying party, the session it keeps, and login attempts. */
export { createIdpClient, type IdpClient, type TokenSet } from './client.js';
export { LoginFlows } from './login.js';
export { OidcSession } from './session.js';
export { ALLOWED_ALGS, CLOCK_TOLERANCE_S, createIdTokenVerifier, type IdTokenVerifier } from './verify.js';
