/**
 * ID-token verification with jose, independent of the OIDC client library, so each way a token
 * can be wrong has its own stable code: a policy or a user can tell a misconfigured issuer from
 * an expired token from a forged one. Signature first (jose), then the claims OIDC Core 3.1.3.7
 * asks of a relying party: iss, aud, azp, exp, iat, nonce.
 */
import { decodeProtectedHeader, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { AgentIdError, type ErrorCode } from '../../errors.js';

/** Asymmetric algorithms only: `none` and HMAC (keyed with a shared client secret) never verify. */
export const ALLOWED_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
/** Seconds of clock difference tolerated between this machine and the provider. */
export const CLOCK_TOLERANCE_S = 60;

export interface IdTokenVerifier {
  verify(token: string, expected?: { nonce?: string }): Promise<JWTPayload>;
}

export function createIdTokenVerifier(opts: {
  issuer: string;
  clientId: string;
  jwks: JWTVerifyGetKey;
  /** Intersected with ALLOWED_ALGS; defaults to all of them. */
  algorithms?: readonly string[];
  now: () => Date;
}): IdTokenVerifier {
  const algorithms = ALLOWED_ALGS.filter((alg) => !opts.algorithms || opts.algorithms.includes(alg));
  return {
    async verify(token, expected = {}) {
      let alg: string | undefined;
      try {
        alg = decodeProtectedHeader(token).alg;
      } catch {
        throw fail('ERR_IDTOKEN_INVALID', 'the ID token is not a signed JWT');
      }
      if (!alg || !algorithms.includes(alg)) {
        throw fail(
          'ERR_IDTOKEN_ALG',
          `the ID token uses alg "${alg ?? 'none'}", allowed: ${algorithms.join(', ')}`,
        );
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, opts.jwks, {
          issuer: opts.issuer,
          audience: opts.clientId,
          algorithms,
          clockTolerance: CLOCK_TOLERANCE_S,
          currentDate: opts.now(),
          requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
        }));
      } catch (err) {
        throw mapJoseError(err, opts.issuer, opts.clientId);
      }
      checkClaims(payload, opts.clientId, opts.now(), expected.nonce);
      return payload;
    },
  };
}

function checkClaims(payload: JWTPayload, clientId: string, now: Date, nonce: string | undefined): void {
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  const azp = payload.azp;
  if ((aud.length > 1 && azp === undefined) || (azp !== undefined && azp !== clientId)) {
    throw fail('ERR_IDTOKEN_AZP', `the ID token's authorized party (azp) is not ${clientId}`);
  }
  if ((payload.iat ?? 0) > now.getTime() / 1000 + CLOCK_TOLERANCE_S) {
    throw fail('ERR_IDTOKEN_INVALID', "the ID token's iat is in the future: check this machine's clock");
  }
  if (nonce !== undefined && payload.nonce !== nonce) {
    throw fail('ERR_IDTOKEN_NONCE', 'the ID token does not carry the nonce of this login (replayed?)');
  }
}

function mapJoseError(err: unknown, issuer: string, clientId: string): AgentIdError {
  if (err instanceof errors.JWTExpired) {
    return fail(
      'ERR_IDTOKEN_EXPIRED',
      "the ID token has expired: check this machine's clock, then log in again",
    );
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return fail('ERR_IDTOKEN_ISSUER', `the ID token was not issued by ${issuer}`);
    if (err.claim === 'aud')
      return fail('ERR_IDTOKEN_AUDIENCE', `the ID token is not meant for client ${clientId}`);
    return fail('ERR_IDTOKEN_INVALID', `the ID token's ${err.claim} claim is invalid: ${err.reason}`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed)
    return fail('ERR_IDTOKEN_ALG', 'the ID token uses a disallowed alg');
  if (err instanceof errors.JWKSNoMatchingKey) {
    return fail('ERR_IDTOKEN_UNKNOWN_KEY', `the ID token is signed by a key that ${issuer} does not publish`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return fail('ERR_IDTOKEN_SIGNATURE', "the ID token's signature does not verify with the provider's keys");
  }
  if (err instanceof errors.JWKSTimeout || (err instanceof Error && err.name === 'TypeError')) {
    return new AgentIdError(
      'ERR_IDP_UNAVAILABLE',
      `cannot fetch the signing keys of ${issuer}: ${err.message}`,
    );
  }
  return fail('ERR_IDTOKEN_INVALID', `the ID token is invalid: ${(err as Error).message}`);
}

// Messages name the claim and what was expected, never the token itself.
function fail(code: ErrorCode, message: string): AgentIdError {
  return new AgentIdError(code, message);
}
