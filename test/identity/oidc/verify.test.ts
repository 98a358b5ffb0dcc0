/**
 * The ID-token verifier against tokens minted with jose: a good token passes, and each way a
 * token can be wrong is refused with its own code. Keys and clock are ours; nothing is mocked.
 */
import {
  type CryptoKey,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createIdTokenVerifier, type IdTokenVerifier } from '../../../src/identity/oidc/index.js';

const ISSUER = 'https://idp.example.com';
const CLIENT = 'agentid';
const NOW = new Date('2026-03-01T12:00:00Z');
const nowS = Math.floor(NOW.getTime() / 1000);

let providerKey: CryptoKey;
let strangerKey: CryptoKey;
let verifier: IdTokenVerifier;

beforeAll(async () => {
  const provider = await generateKeyPair('RS256', { extractable: true });
  providerKey = provider.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(provider.publicKey)), kid: 'k1', alg: 'RS256' };
  verifier = createIdTokenVerifier({
    issuer: ISSUER,
    clientId: CLIENT,
    jwks: createLocalJWKSet({ keys: [jwk] }),
    now: () => NOW,
  });
});

function mint(claims: JWTPayload = {}, opts: { key?: CryptoKey; kid?: string } = {}): Promise<string> {
  return new SignJWT({ sub: 'alice', nonce: 'n-1', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? 'k1' })
    .setIssuer(typeof claims.iss === 'string' ? claims.iss : ISSUER)
    .setAudience(claims.aud ?? CLIENT)
    .setIssuedAt(claims.iat ?? nowS - 10)
    .setExpirationTime(claims.exp ?? nowS + 600)
    .sign(opts.key ?? providerKey);
}

describe('ID-token verification', () => {
  it('accepts a token from the issuer, for this client, with the expected nonce', async () => {
    const claims = await verifier.verify(await mint({ email: 'alice@example.com' }), { nonce: 'n-1' });
    expect(claims).toMatchObject({ sub: 'alice', email: 'alice@example.com' });
  });

  it('tolerates a small clock difference', async () => {
    await expect(verifier.verify(await mint({ exp: nowS - 30 }))).resolves.toBeTruthy();
  });

  const cases: [string, () => Promise<string>, string][] = [
    ['a wrong issuer', () => mint({ iss: 'https://evil.example.com' }), 'ERR_IDTOKEN_ISSUER'],
    ['a wrong audience', () => mint({ aud: 'some-other-client' }), 'ERR_IDTOKEN_AUDIENCE'],
    ['an expired token', () => mint({ exp: nowS - 3600, iat: nowS - 7200 }), 'ERR_IDTOKEN_EXPIRED'],
    [
      'alg none',
      async () =>
        new UnsecuredJWT({ sub: 'alice' })
          .setIssuer(ISSUER)
          .setAudience(CLIENT)
          .setIssuedAt(nowS)
          .setExpirationTime(nowS + 600)
          .encode(),
      'ERR_IDTOKEN_ALG',
    ],
    ['an unknown key', () => mint({}, { key: strangerKey, kid: 'attacker' }), 'ERR_IDTOKEN_UNKNOWN_KEY'],
    ['a forged signature under a known kid', () => mint({}, { key: strangerKey }), 'ERR_IDTOKEN_SIGNATURE'],
    ['another party (azp)', () => mint({ aud: [CLIENT, 'api'], azp: 'api' }), 'ERR_IDTOKEN_AZP'],
    ['an iat in the future', () => mint({ iat: nowS + 3600, exp: nowS + 7200 }), 'ERR_IDTOKEN_INVALID'],
  ];
  it.each(cases)('refuses %s with its own code', async (_name, token, code) => {
    await expect(verifier.verify(await token())).rejects.toMatchObject({ code });
  });

  it('refuses a token replayed into another login (nonce)', async () => {
    await expect(verifier.verify(await mint(), { nonce: 'n-2' })).rejects.toMatchObject({
      code: 'ERR_IDTOKEN_NONCE',
    });
  });

  it('refuses an HMAC token signed with a guessable shared secret', async () => {
    const token = await new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(CLIENT)
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + 600)
      .sign(new TextEncoder().encode('client-secret'));
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'ERR_IDTOKEN_ALG' });
  });

  it('tells each failure apart: the verifier gives every case above a code of its own', async () => {
    const given = await Promise.all(
      cases.map(async ([, token]) =>
        verifier.verify(await token()).then(
          () => 'accepted',
          (err: { code?: string }) => err.code ?? 'uncoded',
        ),
      ),
    );
    expect(new Set(given).size).toBe(cases.length);
    expect(given).not.toContain('accepted');
  });
});
