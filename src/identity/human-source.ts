/**
 * Where the human of a request comes from. One interface for both worlds so the daemon never
 * branches on `[idp]`: without it the human is the local OS user; with it, the SSO session.
 */

import { AgentIdError } from '../errors.js';
import type { HumanView, LoginStatusView } from '../protocol/index.js';
import { localHuman } from './local.js';

export interface HumanSource {
  /** The human now, without I/O: the SSO human when logged in, otherwise the local OS user. */
  peek(): HumanView;
  /** The human for a request that needs one: refreshes ahead of expiry; ERR_LOGIN_REQUIRED if lost. */
  require(): Promise<HumanView>;
  status(): LoginStatusView;
  /** The SSO ID token, for AWS web-identity: ERR_IDP_NOT_CONFIGURED without `[idp]`. */
  idToken(): Promise<string>;
}

export function localHumanSource(user: string, host: string): HumanSource {
  const human = localHuman(user, host);
  return {
    peek: () => human,
    require: async () => human,
    status: () => ({ idp: 'local', issuer: null, state: 'local', human, expiresAt: null, reason: null }),
    idToken: () =>
      Promise.reject(
        new AgentIdError(
          'ERR_IDP_NOT_CONFIGURED',
          'an ID token needs an identity provider: configure [idp] in config.toml and run agentid login',
        ),
      ),
  };
}
