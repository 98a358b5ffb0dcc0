import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { jwtProvider, SIGNING_KEYS_SECRET, SigningKeys } from '../../src/providers/index.js';
import { memorySecretStore } from '../../src/secrets/index.js';

const request = { credential: 'identity', agent: 'claude', human: 'local:alice@host', scope: 'api.internal' };

function setup(secrets = async () => memorySecretStore()) {
  let now = new Date();
  const warnings: string[] = [];
  const keys = new SigningKeys({
    secrets,
    now: () => now,
    maxTokenTtlMs: 15 * 60_000,
    warn: (m) => warnings.push(m),
  });
  const provider = (ttlSeconds = 300) =>
    jwtProvider({ keys, issuer: 'https://agentid.local', ttlSeconds, now: () => now, randomUUID });
  return { keys, provider, warnings, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('jwt provider', () => {
  it('mints a token with the delegation claims that verifies against the JWKS', async () => {
    const t = setup();
    const issued = await t.provider().issue(request);
    const { payload, protectedHeader } = await jwtVerify(
      issued.value,
      createLocalJWKSet(await t.keys.jwks()),
      {
        issuer: 'https://agentid.local',
        audience: 'api.internal',
        algorithms: ['ES256'],
      },
    );
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: (await t.keys.current()).kid });
    expect(payload).toMatchObject({
      sub: 'local:alice@host',
      act: { sub: 'spiffe://agentid.local/agent/claude' },
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(issued.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(issued.fingerprint).not.toContain(payload.jti as string);
  });

  it('caps the lifetime at 15 minutes', async () => {
    const t = setup();
    const issued = await t.provider(3600).issue(request);
    const payload = JSON.parse(Buffer.from(issued.value.split('.')[1] ?? '', 'base64url').toString());
    expect(payload.exp - payload.iat).toBe(900);
  });

  it('keeps the key in the secret store and never publishes its private part', async () => {
    const store = memorySecretStore();
    const t = setup(async () => store);
    await t.provider().issue(request);
    expect(t.keys.storage).toBe('secret-store');
    const stored = JSON.parse((await store.get(SIGNING_KEYS_SECRET)) ?? '{}');
    expect(stored.current.d).toBeTypeOf('string');
    const jwks = await t.keys.jwks();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty('d');

    // A second daemon on the same store signs with the same key.
    const again = setup(async () => store);
    expect((await again.keys.current()).kid).toBe((await t.keys.current()).kid);
  });

  it('falls back to an in-memory key, loudly, when there is no keychain', async () => {
    const t = setup(async () => {
      throw new Error('no usable OS keychain (no D-Bus). Either start one or opt in');
    });
    const issued = await t.provider().issue(request);
    expect(issued.value.split('.')).toHaveLength(3);
    expect(t.keys.storage).toBe('memory');
    expect(t.warnings.join('\n')).toMatch(/in memory only.*restart/);
  });

  it('rotation: new tokens use the new key; old tokens verify until they expire, then the old key leaves', async () => {
    const t = setup();
    const old = await t.provider().issue(request);
    const rotated = await t.keys.rotate();
    const fresh = await t.provider().issue(request);
    expect(decodeProtectedHeader(fresh.value).kid).toBe(rotated.kid);
    expect(decodeProtectedHeader(old.value).kid).toBe(rotated.previousKid);
    const jwks = createLocalJWKSet(await t.keys.jwks());
    await expect(jwtVerify(old.value, jwks, { audience: 'api.internal' })).resolves.toBeTruthy();
    await expect(jwtVerify(fresh.value, jwks, { audience: 'api.internal' })).resolves.toBeTruthy();
    t.advance(15 * 60_000 + 1);
    expect((await t.keys.jwks()).keys.map((k) => k.kid)).toEqual([rotated.kid]);
  });
});
