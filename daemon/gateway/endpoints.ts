/**
 * The open session gateways, one per `agentid exec --http` session, closed with their session.
 * They share the upstream pools (keep-alive connections to an API serve every session; the
 * credential is per request) and the gateway's credential cache (keyed by agent and human, so
 * never shared across them).
 */
import type { HttpRouteConfig } from '../../src/config/index.js';
import { AgentIdError } from '../../src/errors.js';
import { Upstreams } from '../../src/gateway/index.js';
import type { GatewayResponse } from '../../src/protocol/index.js';
import { CredentialCache } from '../../src/providers/index.js';
import type { Session } from '../../src/sessions/index.js';
import type { DaemonDeps } from '../deps.js';
import type { GatewayParts } from './handlers.js';
import { SessionGateway } from './session-gateway.js';

/**
 * Refresh four minutes before expiry, not five: a static secret (a five-minute lease) then serves
 * a minute of requests from memory, and a rotated secret applies within that minute.
 */
const REFRESH_MARGIN_MS = 4 * 60_000;

export class SessionGateways {
  readonly #deps: DaemonDeps;
  readonly #randomBytes: (size: number) => Buffer;
  readonly #parts: GatewayParts;
  readonly #open = new Map<string, SessionGateway>();

  constructor(deps: DaemonDeps, randomBytes: (size: number) => Buffer) {
    this.#deps = deps;
    this.#randomBytes = randomBytes;
    this.#parts = {
      upstreams: new Upstreams(deps.config.gateway),
      cache: new CredentialCache({ now: deps.now, refreshMarginMs: REFRESH_MARGIN_MS }),
    };
  }

  async open(session: Session, routeNames: readonly string[], proxy: boolean): Promise<GatewayResponse> {
    if (this.#open.has(session.id)) {
      throw new AgentIdError('ERR_SESSION_INVALID', `session ${session.id} already has a gateway`);
    }
    const routes = routeNames.map((name) => this.#route(name));
    const gateway = await SessionGateway.open(this.#deps, this.#parts, {
      session,
      routes,
      proxy,
      randomBytes: this.#randomBytes,
    });
    this.#open.set(session.id, gateway);
    return {
      url: gateway.url,
      baseUrls: routes.flatMap((r) =>
        r.env ? [{ route: r.name, variable: r.env, url: `${gateway.url}/${r.name}` }] : [],
      ),
      proxy: proxy
        ? { hosts: [...new Set(routes.map((r) => r.host))], caCertificate: gateway.caCertificate }
        : null,
    };
  }

  close(sessionId: string): void {
    this.#open.get(sessionId)?.close();
    this.#open.delete(sessionId);
  }

  async closeAll(): Promise<void> {
    for (const id of [...this.#open.keys()]) this.close(id);
    await this.#parts.upstreams.close();
  }

  #route(name: string): HttpRouteConfig {
    const route = this.#deps.config.http.find((r) => r.name === name);
    if (!route) {
      const known = this.#deps.config.http.map((r) => r.name).join(', ') || 'none';
      throw new AgentIdError(
        'ERR_GATEWAY_NO_ROUTE',
        `no route [http.${name.slice(0, 64)}] in config.toml (configured: ${known})`,
      );
    }
    return route;
  }
}
