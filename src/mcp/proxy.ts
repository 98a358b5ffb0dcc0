/**
 * The `agentid mcp` relay: JSON-RPC between the agent's MCP client (our stdio) and the real
 * server (our child), with the daemon deciding every call. Its state is explicit: the server slot
 * (server-slot.ts: launch, replace before credentials expire, replay the handshake), the requests
 * waiting for the server (pending.ts), the daemon's say (gate.ts), and whether the relay is
 * stopping. Messages are parsed in one place, framing.ts, whose errors are told apart by kind.
 *
 * - tools/call, prompts/get, resources/read: decided (and audited) before they are forwarded; a
 *   deny is answered here with a JSON-RPC error and never reaches the server. Once the server
 *   answers, the result status is reported for a second audit row.
 * - tools/list, prompts/list, resources/list: the answer keeps only what policy permits
 *   (`[mcp] hide_denied`), or marks the rest as denied.
 * - Bounds (src/protocol/mcp-bounds.ts): a message nested past MAX_JSON_DEPTH, from either side, is
 *   refused unread by framing.ts and answered with ERR_MCP_MESSAGE_TOO_DEEP (the call it answers,
 *   or the request it is), and the relay goes on; a called name policy and audit cannot hold gets
 *   ERR_MCP_NAME_INVALID, and such a name in a server's list counts as denied.
 * - Failures never hang the client: a malformed message from the client gets a JSON-RPC error
 *   (id null) and the relay goes on; a server that breaks the protocol, a message over
 *   `[mcp] max_message_bytes` from either side, or a server that exits fails every pending
 *   request with a JSON-RPC error, and the proxy stops (exit 1). End of input stops it (exit 0).
 *
 * Client messages are handled one at a time, in order, so a notification never overtakes the
 * call it is about; the same holds for the server's messages.
 */
import {
  ErrorCode,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { AgentIdError, type ErrorCode as AgentIdErrorCode, toAgentIdError } from '../errors.js';
import {
  CALL_METHODS,
  checkName,
  LIST_METHODS,
  type McpCallMethod,
  type McpListMethod,
} from '../protocol/index.js';
import type { Channel } from './channel.js';
import { FrameError } from './framing.js';
import { type DecidedCall, type GateDeps, PolicyGate } from './gate.js';
import { PendingRequests } from './pending.js';
import { agentIdErrorResponse, errorResponse } from './rpc-errors.js';
import { ServerSlot, type SlotDeps } from './server-slot.js';
import { type PathBase, summarizeCall } from './summary.js';

/** After the client's input ends, answers still on their way get this long. */
const DRAIN_TIMEOUT_MS = 2_000;

export interface ProxyDeps extends SlotDeps, GateDeps {
  /** The MCP client side: our stdin/stdout. */
  client: Channel;
  base: PathBase;
}

export interface Proxy {
  /** Resolves with the exit code once the proxy has stopped. */
  done: Promise<number>;
  /** The client's input ended: finish what is in flight, stop the server, resolve done with 0. */
  endOfInput(): void;
}

export async function startProxy(deps: ProxyDeps): Promise<Proxy> {
  const relay = new Relay(deps);
  await relay.start();
  return { done: relay.done, endOfInput: () => void relay.endOfInput() };
}

class Relay {
  /** Resolves with the exit code once the relay has stopped. */
  readonly done: Promise<number>;
  readonly #deps: ProxyDeps;
  readonly #gate: PolicyGate;
  readonly #slot: ServerSlot;
  readonly #pending = new PendingRequests();
  #stopping = false;
  /** Each side's messages, handled one at a time in arrival order. */
  #clientQueue = Promise.resolve();
  #serverQueue = Promise.resolve();
  #finish: (code: number) => void = () => {};

  constructor(deps: ProxyDeps) {
    this.#deps = deps;
    this.#gate = new PolicyGate(deps);
    this.#slot = new ServerSlot(deps, {
      message: (message) => {
        this.#serverQueue = this.#serverQueue.then(() => this.#fromServer(message));
      },
      error: (error) => this.#onServerError(error),
      exited: () => void this.#fail('ERR_MCP_SERVER_EXITED', `the MCP server ${deps.server} exited`),
    });
    this.done = new Promise<number>((resolve) => {
      this.#finish = resolve;
    });
  }

  async start(): Promise<void> {
    const { client, warn } = this.#deps;
    client.onmessage = (message) => {
      this.#clientQueue = this.#clientQueue.then(() =>
        this.#fromClient(message).catch((err: unknown) =>
          warn(`relaying to the server failed: ${String(err)}`),
        ),
      );
    };
    client.onerror = (error) => this.#onClientError(error);
    await this.#slot.launch();
    await client.start();
  }

  async endOfInput(): Promise<void> {
    await this.#clientQueue;
    if (this.#pending.size > 0)
      await Promise.race([this.#pending.empty(), this.#deps.sleep(DRAIN_TIMEOUT_MS)]);
    if (this.#stopping) return;
    this.#stopping = true;
    await this.#shutdown();
    this.#finish(0);
  }

  async #fromClient(message: JSONRPCMessage): Promise<void> {
    if (this.#stopping) return;
    if (!isJSONRPCRequest(message)) {
      await this.#slot.send(message);
      return;
    }
    const { method, params, id } = message;
    const summary = summarizeCall(this.#deps.server, method, params, this.#deps.base);
    if (summary === null && isCallMethod(method)) {
      const needs = method === 'resources/read' ? 'uri' : 'name';
      await this.#toClient(errorResponse(id, ErrorCode.InvalidParams, `${method} needs a ${needs}`));
      return;
    }
    const badName = summary && checkName(summary.name, method === 'resources/read' ? 'uri' : 'name');
    if (badName) {
      await this.#toClient(
        errorResponse(id, ErrorCode.InvalidParams, `agentid: ${badName.message} (${badName.code})`, {
          code: badName.code,
        }),
      );
      return;
    }
    let call: DecidedCall | undefined;
    if (summary) {
      const decision = await this.#gate.decide(message, summary);
      if ('refusal' in decision) {
        await this.#toClient(decision.refusal);
        return;
      }
      call = decision.call;
    }
    try {
      // A server whose credentials are about to expire is replaced before the call goes out,
      // once the calls in flight are answered.
      if (this.#slot.stale) {
        await this.#pending.empty();
        await this.#slot.replace();
      }
    } catch (err) {
      if (call) this.#gate.reportFailure(call);
      await this.#toClient(agentIdErrorResponse(id, toAgentIdError(err)));
      return;
    }
    this.#pending.add(id, { method, ...(call ? { call } : {}) });
    if (call) call.started = this.#deps.nowMs();
    await this.#slot.send(message);
  }

  async #fromServer(message: JSONRPCMessage): Promise<void> {
    let out = message;
    let answered: DecidedCall | undefined;
    if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id !== undefined) {
      const request = this.#pending.settle(message.id);
      answered = request?.call;
      if (request && isListMethod(request.method) && isJSONRPCResultResponse(message)) {
        out = await this.#gate.filterList(request.method, message);
      }
    }
    // The answer goes out first: its result row (written on the daemon's socket) is not on the client's path.
    const sent = this.#stopping ? Promise.resolve() : this.#toClient(out);
    if (answered) this.#gate.reportAnswer(answered, message);
    await sent;
  }

  #onServerError(error: Error): void {
    const { server, settings, warn } = this.#deps;
    if (!(error instanceof FrameError)) {
      // A pipe or spawn failure: what follows (an exit, a failed start) is handled where it shows.
      warn(`MCP server ${server}: ${error.message}`);
    } else if (error.kind === 'too-deep') {
      this.#serverQueue = this.#serverQueue.then(() => this.#refuseDeep(error, 'server'));
    } else if (error.kind === 'too-large') {
      void this.#fail(
        'ERR_MCP_MESSAGE_TOO_LARGE',
        `the MCP server sent a message over ${settings.maxMessageBytes} bytes`,
      );
    } else {
      void this.#fail(
        'ERR_MCP_PROTOCOL',
        `the MCP server sent a message that is not JSON-RPC (${error.message})`,
      );
    }
  }

  #onClientError(error: Error): void {
    const limit = this.#deps.settings.maxMessageBytes;
    if (!(error instanceof FrameError)) {
      this.#deps.warn(`MCP client: ${error.message}`);
    } else if (error.kind === 'too-deep') {
      this.#clientQueue = this.#clientQueue.then(() => this.#refuseDeep(error, 'client'));
    } else if (error.kind === 'too-large') {
      void this.#toClient(
        errorResponse(
          null,
          ErrorCode.InvalidRequest,
          `agentid: message over ${limit} bytes refused (ERR_MCP_MESSAGE_TOO_LARGE)`,
        ),
      ).then(() => this.#fail('ERR_MCP_MESSAGE_TOO_LARGE', `the client sent a message over ${limit} bytes`));
    } else if (error.kind === 'not-json') {
      void this.#toClient(
        errorResponse(null, ErrorCode.ParseError, `agentid: not JSON: ${error.message} (ERR_MCP_PROTOCOL)`),
      );
    } else {
      void this.#toClient(
        errorResponse(
          null,
          ErrorCode.InvalidRequest,
          'agentid: not a JSON-RPC 2.0 message (ERR_MCP_PROTOCOL)',
        ),
      );
    }
  }

  /**
   * A message nested past the bound (src/protocol/mcp-bounds.ts) never goes on, and the relay goes
   * on. A request is refused to its sender; the server's answer becomes an error for the call it
   * answers; the client's answer becomes an error to the server's request; one without an id is
   * dropped with a warning.
   */
  async #refuseDeep(frame: FrameError, from: 'client' | 'server'): Promise<void> {
    const error = new AgentIdError('ERR_MCP_MESSAGE_TOO_DEEP', frame.message);
    if (!frame.origin) return this.#deps.warn(`dropped a message from the ${from}: ${error.message}`);
    const { id, request } = frame.origin;
    if (from === 'server' && !request) {
      const pending = this.#pending.settle(id);
      if (pending?.call) this.#gate.reportFailure(pending.call);
      if (!this.#stopping) await this.#toClient(agentIdErrorResponse(id, error));
      return;
    }
    const refusal = errorResponse(id, ErrorCode.InvalidRequest, `agentid: ${error.message} (${error.code})`, {
      code: error.code,
    });
    await (from === 'client' && request ? this.#toClient(refusal) : this.#slot.send(refusal));
  }

  /** Every pending request gets an error, both sides are closed, and the proxy exits 1. */
  async #fail(code: AgentIdErrorCode, message: string): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#deps.warn(`${message}; stopping (${code})`);
    for (const [id, request] of this.#pending.drain()) {
      if (request.call) this.#gate.reportFailure(request.call);
      await this.#toClient(
        errorResponse(id, ErrorCode.InternalError, `agentid: ${message} before answering (${code})`, {
          code,
        }),
      );
    }
    await this.#shutdown();
    this.#finish(1);
  }

  async #shutdown(): Promise<void> {
    await this.#slot.close();
    await this.#deps.client.close().catch(() => {});
  }

  #toClient(message: JSONRPCMessage): Promise<void> {
    return this.#deps.client
      .send(message)
      .catch((err: unknown) => this.#deps.warn(`cannot write to the client: ${String(err)}`));
  }
}

function isCallMethod(method: string): method is McpCallMethod {
  return (CALL_METHODS as readonly string[]).includes(method);
}

function isListMethod(method: string): method is McpListMethod {
  return (LIST_METHODS as readonly string[]).includes(method);
}
