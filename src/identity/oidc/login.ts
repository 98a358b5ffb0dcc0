/**
 * Login attempts, run by the daemon: it owns the flow and the tokens, the CLI only shows the
 * progress. One attempt at a time (a new one cancels the old), each bounded by its expiry:
 * the device code's `expires_in`, or BROWSER_WAIT_MS for the browser to come back.
 */
import * as oidc from 'openid-client';
import { AgentIdError, toAgentIdError } from '../../errors.js';
import type {
  HumanView,
  LoginMode,
  LoginProgressResponse,
  LoginStartResponse,
} from '../../protocol/index.js';
import type { IdpClient } from './client.js';
import { openLoopback } from './loopback.js';
import type { OidcSession } from './session.js';

/** How long the browser flow waits for the redirect back. */
const BROWSER_WAIT_MS = 5 * 60_000;
/** Finished attempts kept for the CLI to read the outcome. */
const KEEP_FINISHED = 4;

export interface LoginFlowDeps {
  client: IdpClient;
  session: OidcSession;
  now: () => Date;
  randomUUID: () => string;
  /** Runs fn after ms; returns a cancel. */
  schedule: (ms: number, fn: () => void) => () => void;
}

interface Flow {
  id: string;
  expiresAt: Date;
  state: 'pending' | 'complete' | 'failed';
  human?: HumanView;
  error?: AgentIdError;
  abort: AbortController;
  reported: boolean;
}

export class LoginFlows {
  readonly #flows = new Map<string, Flow>();
  readonly #deps: LoginFlowDeps;

  constructor(deps: LoginFlowDeps) {
    this.#deps = deps;
  }

  async start(mode: LoginMode): Promise<LoginStartResponse> {
    for (const flow of this.#flows.values()) {
      if (flow.state === 'pending') flow.abort.abort(cancelled('a newer login started'));
    }
    return mode === 'device' ? this.#startDevice() : this.#startBrowser();
  }

  /** The attempt's state; `finished` is true exactly once, when the CLI first sees its outcome. */
  progress(id: string): { view: LoginProgressResponse; finished: boolean } {
    const flow = this.#flows.get(id);
    if (!flow)
      throw new AgentIdError('ERR_LOGIN_NOT_FOUND', `no login attempt ${id.slice(0, 64)}; run agentid login`);
    const finished = flow.state !== 'pending' && !flow.reported;
    if (finished) flow.reported = true;
    const view: LoginProgressResponse = { id, state: flow.state, expiresAt: flow.expiresAt.toISOString() };
    if (flow.human) view.human = flow.human;
    if (flow.error) view.error = flow.error.toJSON();
    return { view, finished };
  }

  cancel(id: string): void {
    this.#flows.get(id)?.abort.abort(cancelled('cancelled by the user'));
  }

  async #startDevice(): Promise<LoginStartResponse> {
    const { client, session } = this.#deps;
    const authorization = await client.startDevice();
    const flow = this.#track(
      authorization.expires_in * 1000,
      'the device code expired before the login finished',
    );
    this.#run(flow, async () => session.adopt(await client.pollDevice(authorization, flow.abort.signal)));
    const view: LoginStartResponse = {
      id: flow.id,
      mode: 'device',
      issuer: client.config.issuer,
      expiresAt: flow.expiresAt.toISOString(),
      verificationUri: authorization.verification_uri,
      userCode: authorization.user_code,
    };
    if (authorization.verification_uri_complete) {
      view.verificationUriComplete = authorization.verification_uri_complete;
    }
    return view;
  }

  async #startBrowser(): Promise<LoginStartResponse> {
    const { client, session } = this.#deps;
    const loopback = await openLoopback();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    let url: URL;
    try {
      url = await client.authorizationUrl({
        redirectUri: loopback.redirectUri,
        state,
        nonce,
        codeChallenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      });
    } catch (err) {
      loopback.close();
      throw err;
    }
    const flow = this.#track(BROWSER_WAIT_MS, 'the browser did not come back in time');
    this.#run(flow, async () => {
      const callback = await Promise.race([loopback.callback, rejectOnAbort(flow.abort.signal)]);
      try {
        checkCallback(callback.url, state, client.config.issuer);
        const human = await session.adopt(
          await client.exchangeCode(callback.url, { state, nonce, codeVerifier }),
          nonce,
        );
        callback.respond(200, `Logged in to agentid as ${human.email ?? human.sub}. You can close this tab.`);
        return human;
      } catch (err) {
        callback.respond(400, `agentid login failed: ${toAgentIdError(err).message}`);
        throw err;
      }
    }).finally(() => loopback.close());
    return {
      id: flow.id,
      mode: 'browser',
      issuer: client.config.issuer,
      expiresAt: flow.expiresAt.toISOString(),
      authorizationUrl: url.href,
    };
  }

  #track(lifetimeMs: number, expiredMessage: string): Flow {
    const flow: Flow = {
      id: this.#deps.randomUUID(),
      expiresAt: new Date(this.#deps.now().getTime() + lifetimeMs),
      state: 'pending',
      abort: new AbortController(),
      reported: false,
    };
    const cancelTimer = this.#deps.schedule(lifetimeMs, () =>
      flow.abort.abort(new AgentIdError('ERR_LOGIN_EXPIRED', `${expiredMessage}; run agentid login again`)),
    );
    flow.abort.signal.addEventListener('abort', cancelTimer, { once: true });
    this.#flows.set(flow.id, flow);
    const finished = [...this.#flows.values()].filter((f) => f.state !== 'pending');
    for (const old of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      this.#flows.delete(old.id);
    return flow;
  }

  #run(flow: Flow, work: () => Promise<HumanView>): Promise<void> {
    return work().then(
      (human) => {
        flow.state = 'complete';
        flow.human = human;
        flow.abort.abort(cancelled('finished'));
      },
      (err: unknown) => {
        flow.state = 'failed';
        flow.error = toAgentIdError(err);
      },
    );
  }
}

// Refused before any token request: the redirect must be the answer to this very request.
function checkCallback(url: URL, state: string, issuer: string): void {
  if (url.searchParams.get('state') !== state) {
    throw new AgentIdError(
      'ERR_LOGIN_STATE_MISMATCH',
      'the browser came back with a state that does not belong to this login (a stale tab, or a forged ' +
        'redirect); nothing was accepted: run agentid login again',
    );
  }
  const error = url.searchParams.get('error');
  if (error === 'access_denied') {
    throw new AgentIdError('ERR_LOGIN_DENIED', `${issuer} denied the login; run agentid login to try again`);
  }
  if (error)
    throw new AgentIdError(
      'ERR_IDP_PROTOCOL',
      `${issuer} answered the login with error ${error.slice(0, 100)}`,
    );
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

function cancelled(why: string): AgentIdError {
  return new AgentIdError('ERR_LOGIN_CANCELLED', `the login was cancelled (${why})`);
}
