/**
 * What a failed call to the identity provider means for the user, as one stable code: the
 * provider is down or slow (ERR_IDP_UNAVAILABLE), the grant is gone (ERR_LOGIN_REQUIRED), the
 * user said no (ERR_LOGIN_DENIED), the code ran out (ERR_LOGIN_EXPIRED), or the provider
 * answered something a conforming one would not (ERR_IDP_PROTOCOL).
 */
import { ClientError, ResponseBodyError } from 'openid-client';
import { AgentIdError } from '../../errors.js';

export function idpError(err: unknown, issuer: string, timeoutMs: number): AgentIdError {
  if (err instanceof AgentIdError) return err;
  if (err instanceof ResponseBodyError) {
    const why = err.error_description ? `${err.error}: ${err.error_description}` : err.error;
    switch (err.error) {
      case 'invalid_grant':
        return new AgentIdError(
          'ERR_LOGIN_REQUIRED',
          `the login at ${issuer} is no longer valid (${why}); run: agentid login`,
        );
      case 'access_denied':
        return new AgentIdError(
          'ERR_LOGIN_DENIED',
          `${issuer} denied the login (${why}); run agentid login to try again`,
        );
      case 'expired_token':
        return new AgentIdError(
          'ERR_LOGIN_EXPIRED',
          'the login code expired before it was used; run agentid login again',
        );
      default:
        return new AgentIdError(
          'ERR_IDP_PROTOCOL',
          `${issuer} refused the request (${why}); check [idp] in config.toml`,
        );
    }
  }
  const timedOut =
    (err instanceof Error && err.name === 'TimeoutError') ||
    (err instanceof ClientError && err.code === 'OAUTH_TIMEOUT');
  if (timedOut) {
    return new AgentIdError(
      'ERR_IDP_UNAVAILABLE',
      `${issuer} did not answer within ${timeoutMs} ms ([idp] timeout_ms); check the network or try again later`,
    );
  }
  if (err instanceof TypeError) {
    const cause = (err.cause as { code?: string } | undefined)?.code ?? err.message;
    return new AgentIdError(
      'ERR_IDP_UNAVAILABLE',
      `cannot reach ${issuer} (${cause}); check the network or [idp] issuer`,
    );
  }
  if (err instanceof ClientError) {
    return new AgentIdError(
      'ERR_IDP_PROTOCOL',
      `unexpected answer from ${issuer}: ${err.message} (${err.code ?? 'no code'})`,
    );
  }
  return new AgentIdError(
    'ERR_IDP_PROTOCOL',
    `the exchange with ${issuer} failed: ${(err as Error).message ?? String(err)}`,
  );
}
