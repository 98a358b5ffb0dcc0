/**
 * The SSO session the daemon keeps for its user. The refresh token lives only in the secret
 * store (keychain), under one fixed name; access and ID tokens live only in this object. The
 * session refreshes ahead of expiry when a request needs the human, saves a rotated refresh
 * token before it uses the new tokens, and turns `invalid_grant` into "log in again". After a
 * daemon restart it is restored from the stored refresh token.
 */
import { AgentIdError, toAgentIdError } from '../../errors.js';
import type { HumanView, LoginStatusView, LogoutResponse } from '../../protocol/index.js';
import type { SecretStore } from '../../secrets/index.js';
import type { HumanSource } from '../human-source.js';
import { localHuman } from '../local.js';
import { REFRESH_TOKEN_SECRET } from '../refresh-token.js';
import type { IdpClient, TokenSet } from './client.js';
import { humanFromClaims } from './human.js';

/** The secret-store name of the refresh token (keychain account; `agentid.` keeps it daemon-only). */
/** Refresh this long before the access token expires, at most. */
const REFRESH_AHEAD_MS = 60_000;
/** Lifetime assumed when the provider does not say (expires_in is RECOMMENDED, not required). */
const DEFAULT_LIFETIME_S = 300;

type State =
  | { kind: 'logged-out' }
  /** A refresh token is stored but not yet exchanged (daemon just started, or provider was down). */
  | { kind: 'stored'; reason: string | null }
  | {
      kind: 'active';
      human: HumanView;
      accessToken: string;
      /** The latest verified ID token: AWS web-identity presents it to STS. */
      idToken: string;
      obtainedAt: number;
      expiresAt: number;
    }
  | { kind: 'login-required'; reason: string };

export interface OidcSessionDeps {
  client: IdpClient;
  secrets: () => Promise<SecretStore>;
  now: () => Date;
  user: string;
  host: string;
  log: { info(message: string): void; warn(message: string): void };
}

export class OidcSession implements HumanSource {
  #state: State = { kind: 'logged-out' };
  #refreshing: Promise<HumanView> | null = null;
  /** Requests arriving while the daemon restores the session wait for it rather than fail. */
  #restoring: Promise<void> = Promise.resolve();
  readonly #deps: OidcSessionDeps;

  constructor(deps: OidcSessionDeps) {
    this.#deps = deps;
  }

  /** Takes the tokens of a finished login: verifies the ID token, stores the refresh token. */
  async adopt(tokens: TokenSet, nonce?: string): Promise<HumanView> {
    if (!tokens.idToken) throw new AgentIdError('ERR_IDP_PROTOCOL', 'the provider returned no ID token');
    const human = await this.#verify(tokens.idToken, nonce);
    const store = await this.#deps.secrets();
    // A login without offline_access has no refresh token: an older one must not outlive it.
    if (tokens.refreshToken) await store.set(REFRESH_TOKEN_SECRET, tokens.refreshToken);
    else await store.delete(REFRESH_TOKEN_SECRET);
    this.#activate(human, tokens);
    this.#deps.log.info(`logged in as ${human.email ?? human.sub} at ${this.#deps.client.config.issuer}`);
    return human;
  }

  /** At daemon start: a stored refresh token becomes a live session again. Never throws. */
  restore(): Promise<void> {
    this.#restoring = this.#restore();
    return this.#restoring;
  }

  async #restore(): Promise<void> {
    try {
      if ((await (await this.#deps.secrets()).get(REFRESH_TOKEN_SECRET)) === undefined) return;
      this.#state = { kind: 'stored', reason: null };
      await this.#refresh();
    } catch (err) {
      this.#deps.log.warn(`SSO session not restored: ${toAgentIdError(err).message}`);
    }
  }

  peek(): HumanView {
    return this.#state.kind === 'active' ? this.#state.human : localHuman(this.#deps.user, this.#deps.host);
  }

  async require(): Promise<HumanView> {
    await this.#restoring;
    const state = this.#state;
    if (state.kind === 'active' && this.#deps.now().getTime() < refreshAt(state)) return state.human;
    if (state.kind === 'logged-out') throw loginRequired('nobody is logged in');
    if (state.kind === 'login-required') throw loginRequired(state.reason);
    try {
      return await this.#refresh();
    } catch (err) {
      // A provider that is briefly down does not end a session whose token is still valid.
      const current = this.#state;
      const error = toAgentIdError(err);
      if (error.code !== 'ERR_LOGIN_REQUIRED' && current.kind === 'active') {
        if (this.#deps.now().getTime() < current.expiresAt) {
          this.#deps.log.warn(
            `SSO refresh failed, using the current token until it expires: ${error.message}`,
          );
          return current.human;
        }
      }
      throw error;
    }
  }

  async idToken(): Promise<string> {
    await this.require();
    const state = this.#state;
    if (state.kind !== 'active' || state.idToken === '') throw loginRequired('the session holds no ID token');
    return state.idToken;
  }

  status(): LoginStatusView {
    const base = { idp: 'oidc' as const, issuer: this.#deps.client.config.issuer };
    const state = this.#state;
    switch (state.kind) {
      case 'active':
        return {
          ...base,
          state: 'logged-in',
          human: state.human,
          expiresAt: new Date(state.expiresAt).toISOString(),
          reason: null,
        };
      case 'stored':
        return { ...base, state: 'logged-in', human: null, expiresAt: null, reason: state.reason };
      case 'login-required':
        return { ...base, state: 'login-required', human: null, expiresAt: null, reason: state.reason };
      default:
        return { ...base, state: 'logged-out', human: null, expiresAt: null, reason: null };
    }
  }

  /** Revokes at the provider where it can, then forgets the session whatever the provider says. */
  async logout(): Promise<LogoutResponse> {
    const store = await this.#deps.secrets();
    const refreshToken = await store.get(REFRESH_TOKEN_SECRET);
    const state = this.#state;
    const loggedOut = refreshToken !== undefined || state.kind === 'active';
    let revoked = false;
    try {
      if (refreshToken !== undefined) revoked = await this.#deps.client.revoke(refreshToken, 'refresh_token');
      else if (state.kind === 'active')
        revoked = await this.#deps.client.revoke(state.accessToken, 'access_token');
    } catch (err) {
      this.#deps.log.warn(`logout: the provider did not revoke the session: ${toAgentIdError(err).message}`);
    }
    await store.delete(REFRESH_TOKEN_SECRET);
    this.#state = { kind: 'logged-out' };
    return { loggedOut, revoked };
  }

  // One refresh at a time: concurrent requests share it, and a rotated token is used once.
  #refresh(): Promise<HumanView> {
    this.#refreshing ??= this.#doRefresh().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #doRefresh(): Promise<HumanView> {
    const store = await this.#deps.secrets();
    const refreshToken = await store.get(REFRESH_TOKEN_SECRET);
    if (refreshToken === undefined) {
      this.#state = { kind: 'login-required', reason: 'the session expired and no refresh token is stored' };
      throw loginRequired(this.#state.reason);
    }
    let tokens: TokenSet;
    try {
      tokens = await this.#deps.client.refresh(refreshToken);
    } catch (err) {
      const error = toAgentIdError(err);
      if (error.code === 'ERR_LOGIN_REQUIRED') {
        await store.delete(REFRESH_TOKEN_SECRET);
        this.#state = { kind: 'login-required', reason: error.message };
      } else if (this.#state.kind === 'stored') {
        this.#state = { kind: 'stored', reason: error.message };
      }
      throw error;
    }
    // Saved before use: with rotation the old token is dead now, and a crash must not lose both.
    if (tokens.refreshToken && tokens.refreshToken !== refreshToken) {
      await store.set(REFRESH_TOKEN_SECRET, tokens.refreshToken);
    }
    const previous = this.#state.kind === 'active' ? this.#state.human : null;
    const human = tokens.idToken ? await this.#verify(tokens.idToken) : previous;
    if (!human)
      throw new AgentIdError('ERR_IDP_PROTOCOL', 'the provider refreshed the session without an ID token');
    this.#activate(human, tokens);
    return human;
  }

  async #verify(idToken: string, nonce?: string): Promise<HumanView> {
    const claims = await (await this.#deps.client.verifier()).verify(
      idToken,
      nonce === undefined ? {} : { nonce },
    );
    return humanFromClaims(claims, {
      groupsClaim: this.#deps.client.config.groupsClaim,
      user: this.#deps.user,
      host: this.#deps.host,
    });
  }

  #activate(human: HumanView, tokens: TokenSet): void {
    const obtainedAt = this.#deps.now().getTime();
    const expiresAt = obtainedAt + (tokens.expiresInS ?? DEFAULT_LIFETIME_S) * 1000;
    // A refresh may come without an ID token; the previous one is still the human's.
    const idToken = tokens.idToken ?? (this.#state.kind === 'active' ? this.#state.idToken : '');
    this.#state = { kind: 'active', human, accessToken: tokens.accessToken, idToken, obtainedAt, expiresAt };
  }
}

// Ahead of expiry, but never so early that a short-lived token is refreshed on every request.
function refreshAt(state: { obtainedAt: number; expiresAt: number }): number {
  return state.expiresAt - Math.min(REFRESH_AHEAD_MS, (state.expiresAt - state.obtainedAt) / 4);
}

function loginRequired(reason: string): AgentIdError {
  return new AgentIdError('ERR_LOGIN_REQUIRED', `SSO login required (${reason}); run: agentid login`);
}
