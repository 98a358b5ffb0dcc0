/**
 * The `jwt` provider: agent identity tokens signed by the daemon. `sub` is the human, `act.sub`
 * the agent (RFC 8693 delegation: the agent acts for the human), one audience, a short life.
 * Services verify them against `agentid jwks` / GET /v1/jwks.
 */
import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Issued, IssueRequest, Provider } from '../types.js';
import type { SigningKeys } from './keys.js';

export const DEFAULT_ISSUER = 'https://agentid.local';
export const DEFAULT_TTL_SECONDS = 300;
export const MAX_TTL_SECONDS = 900;

export interface JwtProviderOptions {
  keys: SigningKeys;
  issuer: string;
  ttlSeconds: number;
  now: () => Date;
  randomUUID: () => string;
}

export function agentUri(agent: string): string {
  return `spiffe://agentid.local/agent/${agent}`;
}

export function jwtProvider(options: JwtProviderOptions): Provider<string> {
  return {
    type: 'jwt',
    async issue(request: IssueRequest): Promise<Issued<string>> {
      const key = await options.keys.current();
      const iat = Math.floor(options.now().getTime() / 1000);
      const exp = iat + Math.min(options.ttlSeconds, MAX_TTL_SECONDS);
      const jti = options.randomUUID();
      const token = await new SignJWT({ act: { sub: agentUri(request.agent) } })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
        .setIssuer(options.issuer)
        .setSubject(request.human)
        .setAudience(request.scope)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(jti)
        .sign(key.privateKey);
      return {
        value: token,
        expiresAt: new Date(exp * 1000),
        fingerprint: createHash('sha256').update(jti).digest('hex'),
        details: { kid: key.kid, audience: request.scope, jti },
      };
    },
  };
}
