/**
 * The one MCP server behind the proxy, and the three things that happen to it: it is launched
 * with credentials fetched for it, replaced once they are about to expire (after the calls in
 * flight are answered), and the client's initialize handshake is replayed to the replacement, so
 * the client never learns the server changed under it.
 */
import type { JSONRPCMessage, JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { AgentIdError, type ErrorCode, toAgentIdError } from '../errors.js';
import type { Channel } from './channel.js';
import type { ServerEnv } from './credentials.js';

/** Renew server credentials this long before they expire. */
const REFRESH_MARGIN_MS = 60_000;
const REINIT_TIMEOUT_MS = 10_000;

export interface SlotDeps {
  server: string;
  /** A channel that starts the server with `env` added to ours. */
  createServer(env: Record<string, string>): Channel;
  /** Credentials for the server's environment (--env), fetched through the daemon. */
  serverEnv(): Promise<ServerEnv>;
  nowMs(): number;
  /** A deadline; it must not keep the process alive on its own. */
  sleep(ms: number): Promise<void>;
}

/** What the slot reports of the running server. */
export interface SlotEvents {
  message(message: JSONRPCMessage): void;
  error(error: Error): void;
  /** The running server exited on its own. */
  exited(): void;
}

export class ServerSlot {
  readonly #deps: SlotDeps;
  readonly #events: SlotEvents;
  #running: { channel: Channel; expiresAt: Date | null } | null = null;
  /** The client's initialize request, and whether it confirmed it with notifications/initialized. */
  #handshake: { request: JSONRPCRequest; confirmed: boolean } | null = null;
  /** The replayed initialize waiting for the replacement's answer, which the client must not see. */
  #replay: { id: string; answered: () => void } | null = null;
  #restarts = 0;

  constructor(deps: SlotDeps, events: SlotEvents) {
    this.#deps = deps;
    this.#events = events;
  }

  async launch(): Promise<void> {
    const fresh = await this.#deps.serverEnv();
    const channel = this.#deps.createServer(fresh.env);
    channel.onmessage = (message) => {
      if (this.#replay && 'id' in message && message.id === this.#replay.id) this.#replay.answered();
      else this.#events.message(message);
    };
    channel.onerror = (error) => this.#events.error(error);
    channel.onclose = () => {
      if (this.#running?.channel === channel) this.#events.exited();
    };
    try {
      await channel.start();
    } catch (err) {
      throw withCode('ERR_MCP_SERVER_START', `cannot start the MCP server ${this.#deps.server}`, err);
    }
    this.#running = { channel, expiresAt: fresh.expiresAt };
  }

  /** Forwards a message the client sent, noting the handshake for a later replay. */
  async send(message: JSONRPCMessage): Promise<void> {
    if ('method' in message && message.method === 'initialize' && 'id' in message) {
      this.#handshake = { request: message as JSONRPCRequest, confirmed: false };
    } else if ('method' in message && message.method === 'notifications/initialized' && this.#handshake) {
      this.#handshake.confirmed = true;
    }
    await this.#running?.channel.send(message);
  }

  /** Whether the server's credentials are about to expire, so the next call needs a new server. */
  get stale(): boolean {
    const running = this.#running;
    if (!running) return true;
    return (
      running.expiresAt !== null && running.expiresAt.getTime() - REFRESH_MARGIN_MS <= this.#deps.nowMs()
    );
  }

  /** Replaces the server with one on fresh credentials; the caller has let the calls in flight finish. */
  async replace(): Promise<void> {
    await this.close();
    await this.launch();
    this.#restarts += 1;
    if (this.#handshake) await this.#replayHandshake(this.#handshake);
  }

  async close(): Promise<void> {
    const running = this.#running;
    this.#running = null;
    await running?.channel.close().catch(() => {});
  }

  async #replayHandshake(handshake: { request: JSONRPCRequest; confirmed: boolean }): Promise<void> {
    const id = `agentid-restart-${this.#restarts}`;
    const answered = new Promise<'answered'>((resolve) => {
      this.#replay = { id, answered: () => resolve('answered') };
    });
    await this.#running?.channel.send({ ...handshake.request, id });
    const outcome = await Promise.race([
      answered,
      this.#deps.sleep(REINIT_TIMEOUT_MS).then(() => 'timeout' as const),
    ]);
    this.#replay = null;
    if (outcome === 'timeout') {
      throw new AgentIdError(
        'ERR_MCP_SERVER_START',
        `the restarted MCP server ${this.#deps.server} did not initialize`,
      );
    }
    if (handshake.confirmed) {
      await this.#running?.channel.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    }
  }
}

/** `cause` as an AgentIdError: a coded failure (a policy deny, a daemon that is down) keeps its code. */
function withCode(code: ErrorCode, message: string, cause: unknown): AgentIdError {
  const error = toAgentIdError(cause);
  return error.code === 'ERR_INTERNAL'
    ? new AgentIdError(code, `${message}: ${error.message}`, { cause })
    : error;
}
