/**
 * The gateway's upstream side, on undici: pooled keep-alive connections shared by every session
 * (credentials are per request, never per connection), each call bounded by the `[gateway]`
 * timeouts, bodies streamed both ways (a multi-megabyte upload flows through with backpressure, an
 * SSE stream reaches the agent chunk by chunk). A failure becomes a coded error: a timeout is
 * ERR_GATEWAY_TIMEOUT (504), anything else the upstream did or failed to do ERR_GATEWAY_UPSTREAM (502).
 * A route's `ca_file` adds trust for that route only; its file is read once. undici is loaded on
 * the first forwarded request: a daemon whose sessions never use the gateway does not carry it
 * in memory.
 */
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import type { Agent, Dispatcher } from 'undici';
import type { GatewayConfig } from '../config/index.js';
import { AgentIdError } from '../errors.js';

export interface UpstreamRequest {
  /** scheme://host:port */
  origin: string;
  /** Path and query, as sent upstream. */
  path: string;
  method: string;
  /** Flat [name, value, ...]: hop-by-hop headers already removed. */
  headers: string[];
  /** null: no body. A stream is forwarded as it is read, never collected. */
  body: Readable | null;
  /** Extra PEM trust for this upstream; null: the system roots. */
  caFile: string | null;
  signal?: AbortSignal;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

type Timeouts = Pick<GatewayConfig, 'connectTimeoutMs' | 'responseTimeoutMs' | 'idleTimeoutMs'>;

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export class Upstreams {
  readonly #timeouts: Timeouts;
  readonly #readFile: (path: string) => string;
  /** One pool per trust setting; keyed by ca_file ('' = system roots). */
  readonly #agents = new Map<string, Agent>();

  constructor(timeouts: Timeouts, readFile: (path: string) => string = (path) => readFileSync(path, 'utf8')) {
    this.#timeouts = timeouts;
    this.#readFile = readFile;
  }

  async send(request: UpstreamRequest): Promise<UpstreamResponse> {
    const AgentClass = (await loadUndici()).Agent;
    const agent = this.#agent(request.caFile, AgentClass);
    try {
      const response = await agent.request({
        origin: request.origin,
        path: request.path,
        method: request.method as Dispatcher.HttpMethod,
        headers: request.headers,
        body: request.body,
        signal: request.signal ?? null,
        headersTimeout: this.#timeouts.responseTimeoutMs,
        bodyTimeout: this.#timeouts.idleTimeoutMs,
      });
      return { status: response.statusCode, headers: response.headers, body: response.body };
    } catch (err) {
      throw upstreamError(err, request.origin);
    }
  }

  async close(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((agent) => agent.close()));
  }

  #agent(caFile: string | null, AgentClass: typeof Agent): Agent {
    const key = caFile ?? '';
    let agent = this.#agents.get(key);
    if (!agent) {
      let ca: string[] | undefined;
      if (caFile) {
        try {
          ca = [...rootCertificates, this.#readFile(caFile)];
        } catch (err) {
          throw new AgentIdError(
            'ERR_CONFIG_INVALID',
            `cannot read ca_file ${caFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
          );
        }
      }
      agent = new AgentClass({
        connect: { timeout: this.#timeouts.connectTimeoutMs, ...(ca ? { ca } : {}) },
        headersTimeout: this.#timeouts.responseTimeoutMs,
        bodyTimeout: this.#timeouts.idleTimeoutMs,
      });
      this.#agents.set(key, agent);
    }
    return agent;
  }
}

let undici: Promise<typeof import('undici')> | undefined;
function loadUndici(): Promise<typeof import('undici')> {
  undici ??= import('undici');
  return undici;
}

/**
 * A coded error for what went wrong upstream, or on the way there. The message names the
 * upstream and undici's or the TLS layer's code, never a header or body.
 */
export function upstreamError(err: unknown, origin: string): AgentIdError {
  if (err instanceof AgentIdError) return err;
  const code = (err as { code?: unknown }).code;
  const what = typeof code === 'string' ? code : err instanceof Error ? err.name : 'error';
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
    return new AgentIdError('ERR_GATEWAY_TIMEOUT', `the upstream ${origin} did not answer in time (${what})`);
  }
  return new AgentIdError('ERR_GATEWAY_UPSTREAM', `the upstream ${origin} failed: ${what}`, { cause: err });
}
