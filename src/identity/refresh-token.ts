/**
 * The secret store's name for the SSO refresh token. Its own file so that naming it (secret ls
 * describes it) does not load the OIDC relying party, which the daemon loads only with `[idp]`.
 */
export const REFRESH_TOKEN_SECRET = 'agentid.oidc.refresh-token';
