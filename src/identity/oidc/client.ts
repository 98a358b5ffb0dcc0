/**
 * The relying party: every protocol exchange with the identity provider, through openid-client
 * (discovery, device flow, authorization code + PKCE, refresh, revocation). Each call is bounded
 * by `[idp] timeout_ms` and fails with an agentid code; discovery is cached once it succeeds, so
 * a provider that is down at daemon start is simply asked again next time.
 */
import { createRemoteJWKSet } from 'jose';
import * as oidc from 'openid-client';
import { type IdpConfig, isLoopbackIssuer } from '../../config/index.js';
import { AgentIdError } from '../../errors.js';
import type { SecretStore } from '../../secrets/index.js';
import { idpError } from './provider-error.js';
import { createIdTokenVerifier, type IdTokenVerifier } from './verify.js';

export interface TokenSet {
  /** Absent on a refresh when the provider does not reissue one. */
  idToken: string | null;
  accessToken: string;
  refreshToken: string | null;
  expiresInS: number | null;
}

export type DeviceAuthorization = oidc.DeviceAuthorizationResponse;

export interface IdpClient {
  readonly config: IdpConfig;
  startDevice(): Promise<DeviceAuthorization>;
  /** Polls until the user finishes (interval and slow_down honoured); `signal` bounds it. */
  pollDevice(authorization: DeviceAuthorization, signal: AbortSignal): Promise<TokenSet>;
  authorizationUrl(p: {
    redirectUri: string;
    state: string;
    nonce: string;
    codeChallenge: string;
  }): Promise<URL>;
  exchangeCode(
    callback: URL,
    checks: { state: string; nonce: string; codeVerifier: string },
  ): Promise<TokenSet>;
  refresh(refreshToken: string): Promise<TokenSet>;
  /** false when the provider offers no revocation endpoint. */
  revoke(token: string, hint: 'refresh_token' | 'access_token'): Promise<boolean>;
  verifier(): Promise<IdTokenVerifier>;
}

interface Discovered {
  config: oidc.Configuration;
  verifier: IdTokenVerifier;
}

export function createIdpClient(
  config: IdpConfig,
  deps: { secrets: () => Promise<SecretStore>; now: () => Date },
): IdpClient {
  let discovered: Promise<Discovered> | undefined;
  const fail = (err: unknown) => idpError(err, config.issuer, config.timeoutMs);
  // Our own bound on every request, on top of openid-client's whole-second timeout.
  const boundedFetch: oidc.CustomFetch = (url, options) => {
    const signals = [AbortSignal.timeout(config.timeoutMs), options.signal].filter((s) => s !== undefined);
    return fetch(url, { ...options, signal: AbortSignal.any(signals) });
  };

  function discover(): Promise<Discovered> {
    discovered ??= load().catch((err: unknown) => {
      discovered = undefined;
      throw fail(err);
    });
    return discovered;
  }

  async function load(): Promise<Discovered> {
    const secret = await clientSecret();
    const conf = await oidc.discovery(
      new URL(config.issuer),
      config.clientId,
      secret ?? undefined,
      secret === null ? oidc.None() : oidc.ClientSecretPost(secret),
      {
        timeout: Math.ceil(config.timeoutMs / 1000),
        [oidc.customFetch]: boundedFetch,
        execute: isLoopbackIssuer(config.issuer) ? [oidc.allowInsecureRequests] : [],
      },
    );
    const server = conf.serverMetadata();
    if (!server.jwks_uri)
      throw new AgentIdError('ERR_IDP_PROTOCOL', `${config.issuer} publishes no jwks_uri`);
    const verifier = createIdTokenVerifier({
      issuer: server.issuer,
      clientId: config.clientId,
      jwks: createRemoteJWKSet(new URL(server.jwks_uri), { timeoutDuration: config.timeoutMs }),
      algorithms: server.id_token_signing_alg_values_supported,
      now: deps.now,
    });
    return { config: conf, verifier };
  }

  async function clientSecret(): Promise<string | null> {
    if (config.clientSecretName === null) return null;
    const value = await (await deps.secrets()).get(config.clientSecretName);
    if (value === undefined) {
      throw new AgentIdError(
        'ERR_SECRETS_NOT_FOUND',
        `[idp] client_secret names the secret "${config.clientSecretName}", which is not in the store; ` +
          `add it: agentid secret set ${config.clientSecretName} < client-secret-file`,
      );
    }
    return value;
  }

  const extra = (): Record<string, string> => (config.audience ? { audience: config.audience } : {});

  return {
    config,
    async startDevice() {
      const { config: conf } = await discover();
      return oidc
        .initiateDeviceAuthorization(conf, { scope: config.scopes.join(' '), ...extra() })
        .catch((err) => {
          throw fail(err);
        });
    },
    async pollDevice(authorization, signal) {
      const { config: conf } = await discover();
      try {
        return tokenSet(await oidc.pollDeviceAuthorizationGrant(conf, authorization, undefined, { signal }));
      } catch (err) {
        // An abort is ours (expiry, cancel) and carries its own error.
        if (signal.aborted && signal.reason instanceof AgentIdError) throw signal.reason;
        throw fail(err);
      }
    },
    async authorizationUrl(p) {
      const { config: conf } = await discover();
      return oidc.buildAuthorizationUrl(conf, {
        redirect_uri: p.redirectUri,
        scope: config.scopes.join(' '),
        state: p.state,
        nonce: p.nonce,
        code_challenge: p.codeChallenge,
        code_challenge_method: 'S256',
        // OIDC Core 11: offline_access is only honoured together with prompt=consent.
        ...(config.scopes.includes('offline_access') ? { prompt: 'consent' } : {}),
        ...extra(),
      });
    },
    async exchangeCode(callback, checks) {
      const { config: conf } = await discover();
      const tokens = await oidc
        .authorizationCodeGrant(conf, callback, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        })
        .catch((err) => {
          throw fail(err);
        });
      return tokenSet(tokens);
    },
    async refresh(refreshToken) {
      const { config: conf } = await discover();
      return tokenSet(
        await oidc.refreshTokenGrant(conf, refreshToken).catch((err) => {
          throw fail(err);
        }),
      );
    },
    async revoke(token, hint) {
      const { config: conf } = await discover();
      if (!conf.serverMetadata().revocation_endpoint) return false;
      await oidc.tokenRevocation(conf, token, { token_type_hint: hint }).catch((err) => {
        throw fail(err);
      });
      return true;
    },
    async verifier() {
      return (await discover()).verifier;
    },
  };
}

function tokenSet(tokens: oidc.TokenEndpointResponse): TokenSet {
  return {
    idToken: tokens.id_token ?? null,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? null,
    expiresInS: tokens.expires_in ?? null,
  };
}
