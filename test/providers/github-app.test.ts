/**
 * The github-app provider against the GitHub API stand-in (jose checks the App JWT, the request
 * shape is checked as GitHub documents it): narrowing, installation lookup, coded errors, the
 * timeout on a server that never answers, and cache reuse until 5 minutes before expires_at.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GithubAppCredentialConfig } from '../../src/config/index.js';
import { CredentialCache, githubAppProvider } from '../../src/providers/index.js';
import { memorySecretStore, type SecretStore } from '../../src/secrets/index.js';
import { type GithubApi, startGithubApi } from '../peers/github-api.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const request = { credential: 'gh', agent: 'demo', human: 'local:a@h', scope: 'acme/widgets' };

describe('github-app provider', () => {
  let api: GithubApi;
  let store: SecretStore;
  beforeAll(async () => {
    api = await startGithubApi({ appId: '4242', publicKey, installations: { acme: 77 } });
    store = memorySecretStore();
    await store.set('gh-key', privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  });
  afterAll(() => api.close());

  const credential = (over: Partial<GithubAppCredentialConfig> = {}): GithubAppCredentialConfig => ({
    name: 'gh',
    type: 'github-app',
    appId: '4242',
    installationId: null,
    privateKey: 'gh-key',
    permissions: { contents: 'read' },
    apiUrl: api.url,
    hosts: ['github.com'],
    timeoutMs: 2000,
    ...over,
  });
  const provider = (over: Partial<GithubAppCredentialConfig> = {}, now = () => new Date()) =>
    githubAppProvider({ credential: credential(over), secrets: async () => store, now, fetch });

  it('mints a token for one repository with the configured permissions', async () => {
    const issued = await provider().issue(request);
    expect(issued.value.username).toBe('x-access-token');
    const token = api.tokens.get(issued.value.password);
    expect(token?.repositories).toEqual(['acme/widgets']);
    expect(token?.permissions).toEqual({ contents: 'read' });
    expect(issued.expiresAt.getTime()).toBe(token?.expiresAt.getTime());
    expect(issued.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(issued.details)).not.toContain(issued.value.password);
  });

  it('signs an App JWT back-dated 60 s that lives at most 10 min', async () => {
    let seen = '';
    const spy: typeof fetch = async (input, init) => {
      seen = String((init?.headers as Record<string, string> | undefined)?.authorization).slice(
        'Bearer '.length,
      );
      return fetch(input, init);
    };
    const now = new Date();
    await githubAppProvider({
      credential: credential({ installationId: 77 }),
      secrets: async () => store,
      now: () => now,
      fetch: spy,
    }).issue(request);
    const claims = decodeJwt(seen);
    const nowS = Math.floor(now.getTime() / 1000);
    expect(claims.iss).toBe('4242');
    expect(claims.iat).toBe(nowS - 60);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBeLessThanOrEqual(600);
  });

  it('uses a configured installation_id without a lookup', async () => {
    const before = api.requests.filter((r) => r.path.endsWith('/installation')).length;
    await provider({ installationId: 77 }).issue(request);
    expect(api.requests.filter((r) => r.path.endsWith('/installation')).length).toBe(before);
  });

  it.each([
    ['an owner without the App', {}, { ...request, scope: 'other/repo' }, 'ERR_GITHUB_NO_INSTALLATION'],
    ['an unknown installation', { installationId: 5 }, request, 'ERR_GITHUB_NO_INSTALLATION'],
    ['a key that is not the App key', { privateKey: 'wrong-key' }, request, 'ERR_GITHUB_API'],
    ['a missing key', { privateKey: 'absent' }, request, 'ERR_GITHUB_KEY'],
    ['a key that is not PEM', { privateKey: 'junk' }, request, 'ERR_GITHUB_KEY'],
    ['an unreachable API', { apiUrl: 'http://127.0.0.1:1' }, request, 'ERR_GITHUB_API'],
  ])('fails with a code for %s', async (_name, over, req, code) => {
    await store.set(
      'wrong-key',
      generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    );
    await store.set('junk', 'not a key');
    await expect(provider(over).issue(req)).rejects.toMatchObject({ code });
  });

  it('gives up on a server that never answers after timeout_ms', async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      await expect(provider({ apiUrl: url, timeoutMs: 200 }).issue(request)).rejects.toMatchObject({
        code: 'ERR_GITHUB_TIMEOUT',
      });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('reuses a cached token until 5 minutes before expires_at, then mints a new one', async () => {
    // Only the cache's clock moves: GitHub's stand-in checks the App JWT against the real time.
    let now = new Date();
    const cache = new CredentialCache({ now: () => now });
    const p = provider();
    const first = await cache.get(request, () => p.issue(request));
    now = new Date(first.issued.expiresAt.getTime() - 5 * 60_000 - 1000);
    const second = await cache.get(request, () => p.issue(request));
    expect(second.cached).toBe(true);
    expect(second.issued.value.password).toBe(first.issued.value.password);
    now = new Date(first.issued.expiresAt.getTime() - 5 * 60_000 + 1000);
    const third = await cache.get(request, () => p.issue(request));
    expect(third.cached).toBe(false);
    expect(third.issued.value.password).not.toBe(first.issued.value.password);
  });
});
