/**
 * The `agentid mcp` relay: JSON-RPC between the agent's MCP client (our stdio) and the real
 * server (our child), over the SDK's stdio transports, with the daemon deciding every call.
 *
 * - tools/call, prompts/get, resources/read: decided (and audited) before they are forwarded; a
 *   deny is answered here with a JSON-RPC error and never reaches the server. Once the server
 *   answers, the result status is reported for a second audit row.
 * - tools/list, prompts/list, resources/list: the answer keeps only what policy permits
 *   (`[mcp] hide_denied`), or marks the rest as denied.
 * - Failures never hang the client: a malformed message from the client gets a JSON-RPC error
 *   (id null) and the relay goes on; a server that breaks the protocol, a message over
 *   `[mcp] max_message_bytes` from either side, or a server that exits fails every pending
 *   request with a JSON-RPC error, and the proxy stops (exit 1). End of input stops it (exit 0).
 * - Credentials in the server's environment (--env) are renewed before they expire: the next
 *   call within a minute of the expiry waits for calls in flight, restarts the server with fresh
 *   credentials and replays the client's initialize handshake to it.
 *
 * Client messages are handled one at a time, in order, so a notification never overtakes the
 * call it is about; the same holds for the server's messages.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { AgentIdError, type ErrorCode as AgentIdErrorCode, toAgentIdError } from '../errors.js';
import {
  type DaemonCaller,
  endpoints,
  LIST_METHODS,
  type McpCallMethod,
  type McpCallSummary,
  type McpDecideResponse,
  type McpListMethod,
  type McpResultRequest,
  type McpStartResponse,
} from '../protocol/index.js';
import type { ServerEnv } from './credentials.js';
import { type PathBase, summarizeCall } from './summary.js';

/** JSON-RPC error code of a call denied by policy (server-defined range, -32000..-32099). */
export const POLICY_DENIED_CODE = -32003;
/** Renew server credentials this long before they expire. */
export const REFRESH_MARGIN_MS = 60_000;
const REINIT_TIMEOUT_MS = 10_000;
/** After the client's input ends, answers still on their way get this long. */
const DRAIN_TIMEOUT_MS = 2_000;
/** Arguments sent to the daemon for audit_arguments, at most (its body limit is 64 KiB). */
const ARGUMENTS_MAX = 32 * 1024;

export interface ProxyDeps {
  server: string;
  /** The MCP client side: our stdin/stdout. */
  client: Transport;
  /** A transport that spawns the server with `env` added to ours when started. */
  createServer(env: Record<string, string>): Transport;
  /** Credentials for the server's environment (--env), fetched through the daemon. */
  serverEnv(): Promise<ServerEnv>;
  daemon: DaemonCaller;
  settings: McpStartResponse;
  base: PathBase;
  nowMs(): number;
  /** A deadline; it must not keep the process alive on its own. */
  sleep(ms: number): Promise<void>;
  warn(line: string): void;
}

interface Pending {
  method: string;
  call?: { summary: McpCallSummary; eventId: string; started: number };
}

export interface Proxy {
  /** Resolves with the exit code once the proxy has stopped. */
  done: Promise<number>;
  /** The client's input ended: finish what is in flight, stop the server, resolve done with 0. */
  endOfInput(): void;
}

export async function startProxy(deps: ProxyDeps): Promise<Proxy> {
  const pending = new Map<string, Pending>();
  const drainWaiters: (() => void)[] = [];
  let server: Transport | null = null;
  let expiresAt: Date | null = null;
  let initialize: JSONRPCRequest | null = null;
  let initialized = false;
  let reinit: { id: string; answered: () => void } | null = null;
  let restarts = 0;
  let stopping = false;
  let clientQueue = Promise.resolve();
  let serverQueue = Promise.resolve();
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });

  const keyOf = (id: RequestId) => JSON.stringify(id);
  const settle = (id: RequestId) => {
    const entry = pending.get(keyOf(id));
    pending.delete(keyOf(id));
    if (pending.size === 0) for (const wake of drainWaiters.splice(0)) wake();
    return entry;
  };
  const drained = () =>
    pending.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => drainWaiters.push(resolve));

  const toClient = (message: JSONRPCMessage) =>
    deps.client
      .send(message)
      .catch((err: unknown) => deps.warn(`cannot write to the client: ${String(err)}`));
  const errorTo = (id: RequestId | null, code: number, message: string, data?: unknown) =>
    toClient({
      jsonrpc: '2.0',
      // JSON-RPC answers a message whose id could not be read with id null; the SDK's type has no null.
      id: id as RequestId,
      error: { code, message, ...(data === undefined ? {} : { data }) },
    });
  const agentIdErrorTo = (id: RequestId, error: AgentIdError) =>
    errorTo(id, ErrorCode.InternalError, `agentid: ${error.message} (${error.code})`, { code: error.code });

  async function launch(): Promise<void> {
    const fresh = await deps.serverEnv();
    const transport = deps.createServer(fresh.env);
    transport.onmessage = (message) => {
      serverQueue = serverQueue.then(() => fromServer(message));
    };
    transport.onerror = (error) => onServerError(error);
    transport.onclose = () => {
      if (transport === server && !stopping)
        void fail('ERR_MCP_SERVER_EXITED', `the MCP server ${deps.server} exited`);
    };
    try {
      await transport.start();
    } catch (err) {
      throw toAgentIdErrorWith('ERR_MCP_SERVER_START', `cannot start the MCP server ${deps.server}`, err);
    }
    server = transport;
    expiresAt = fresh.expiresAt;
  }

  /** A server whose credentials are about to expire is replaced before the call goes out. */
  async function freshServer(): Promise<Transport> {
    if (server && (expiresAt === null || expiresAt.getTime() - REFRESH_MARGIN_MS > deps.nowMs()))
      return server;
    await drained();
    const old = server;
    server = null;
    if (old) {
      old.onclose = undefined;
      await old.close();
    }
    await launch();
    restarts += 1;
    if (initialize) await replayHandshake(initialize);
    return server as unknown as Transport;
  }

  async function replayHandshake(request: JSONRPCRequest): Promise<void> {
    const id = `agentid-restart-${restarts}`;
    const answered = new Promise<'answered'>((resolve) => {
      reinit = { id, answered: () => resolve('answered') };
    });
    await server?.send({ ...request, id });
    const outcome = await Promise.race([
      answered,
      deps.sleep(REINIT_TIMEOUT_MS).then(() => 'timeout' as const),
    ]);
    reinit = null;
    if (outcome === 'timeout') {
      throw toAgentIdErrorWith(
        'ERR_MCP_SERVER_START',
        `the restarted MCP server ${deps.server} did not initialize`,
      );
    }
    if (initialized) await server?.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }

  async function fromClient(message: JSONRPCMessage): Promise<void> {
    if (stopping) return;
    if (!isJSONRPCRequest(message)) {
      if ('method' in message && message.method === 'notifications/initialized') initialized = true;
      await server?.send(message);
      return;
    }
    if (message.method === 'initialize') initialize = message;
    const summary = summarizeCall(deps.server, message.method, message.params, deps.base);
    if (summary === null && isCallMethod(message.method)) {
      await errorTo(
        message.id,
        ErrorCode.InvalidParams,
        `${message.method} needs a ${message.method === 'resources/read' ? 'uri' : 'name'}`,
      );
      return;
    }
    let call: Pending['call'];
    if (summary) {
      let decision: McpDecideResponse;
      try {
        decision = await deps.daemon.call(endpoints.mcpDecide, withArguments(summary, message.params));
      } catch (err) {
        // Fail closed: without a decision the call does not reach the server.
        await agentIdErrorTo(message.id, toAgentIdError(err));
        return;
      }
      if (decision.decision === 'deny') {
        await errorTo(message.id, POLICY_DENIED_CODE, `agentid: denied by policy: ${decision.reason}`, {
          code: 'ERR_POLICY_DENIED',
          policyIds: decision.policyIds,
        });
        return;
      }
      call = { summary, eventId: decision.eventId, started: deps.nowMs() };
    }
    let target: Transport;
    try {
      target = await freshServer();
    } catch (err) {
      const error = toAgentIdError(err);
      if (call) report(call, { status: 'error', rpcCode: ErrorCode.InternalError });
      await agentIdErrorTo(message.id, error);
      return;
    }
    pending.set(keyOf(message.id), { method: message.method, ...(call ? { call } : {}) });
    if (call) call.started = deps.nowMs();
    await target.send(message);
  }

  function withArguments(summary: McpCallSummary, params: JSONRPCRequest['params']): McpCallSummary {
    if (!deps.settings.auditArguments) return summary;
    const args = summary.method === 'resources/read' ? undefined : params?.arguments;
    if (args === undefined) return summary;
    const size = JSON.stringify(args)?.length ?? 0;
    return { ...summary, arguments: size <= ARGUMENTS_MAX ? args : `(${size} characters, not sent)` };
  }

  async function fromServer(message: JSONRPCMessage): Promise<void> {
    let out = message;
    if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id !== undefined) {
      if (reinit && message.id === reinit.id) return reinit.answered();
      const entry = settle(message.id);
      if (entry?.call) report(entry.call, outcomeOf(message));
      if (entry && isListMethod(entry.method) && isJSONRPCResultResponse(message)) {
        out = await filterList(entry.method, message);
      }
    }
    if (!stopping) await toClient(out);
  }

  async function filterList(
    method: McpListMethod,
    message: JSONRPCMessage & { id: RequestId; result: Record<string, unknown> },
  ) {
    const field = method.split('/')[0] as 'tools' | 'prompts' | 'resources';
    const key = method === 'resources/list' ? 'uri' : 'name';
    const items = Array.isArray(message.result[field])
      ? (message.result[field] as Record<string, unknown>[])
      : [];
    const names = items.map((item) => String(item[key] ?? ''));
    let allowed: Set<string>;
    try {
      const answer = await deps.daemon.call(endpoints.mcpList, { server: deps.server, method, names });
      allowed = new Set(answer.allowed);
    } catch (err) {
      const error = toAgentIdError(err);
      return {
        jsonrpc: '2.0' as const,
        id: message.id,
        error: {
          code: ErrorCode.InternalError,
          message: `agentid: ${error.message} (${error.code})`,
          data: { code: error.code },
        },
      };
    }
    const kept = deps.settings.hideDenied
      ? items.filter((item) => allowed.has(String(item[key] ?? '')))
      : items.map((item) =>
          allowed.has(String(item[key] ?? ''))
            ? item
            : { ...item, description: `[denied by agentid policy] ${String(item.description ?? '')}`.trim() },
        );
    return { ...message, result: { ...message.result, [field]: kept } };
  }

  function report(call: NonNullable<Pending['call']>, outcome: Pick<McpResultRequest, 'status' | 'rpcCode'>) {
    const body: McpResultRequest = {
      eventId: call.eventId,
      server: call.summary.server,
      method: call.summary.method,
      name: call.summary.name,
      ...outcome,
      latencyMs: Math.max(0, deps.nowMs() - call.started),
    };
    // Off the answer's path: the decision row is already committed; this one adds how it ended.
    deps.daemon
      .call(endpoints.mcpResult, body)
      .catch((err: unknown) =>
        deps.warn(`could not record the result of ${call.summary.name}: ${String(err)}`),
      );
  }

  function onServerError(error: Error): void {
    if (isTooLarge(error)) {
      void fail(
        'ERR_MCP_MESSAGE_TOO_LARGE',
        `the MCP server sent a message over ${deps.settings.maxMessageBytes} bytes`,
      );
    } else if (isMalformed(error)) {
      void fail(
        'ERR_MCP_PROTOCOL',
        `the MCP server sent a message that is not JSON-RPC (${error.message.slice(0, 200)})`,
      );
    } else {
      deps.warn(`MCP server ${deps.server}: ${error.message}`);
    }
  }

  function onClientError(error: Error): void {
    if (isTooLarge(error)) {
      void errorTo(
        null,
        ErrorCode.InvalidRequest,
        `agentid: message over ${deps.settings.maxMessageBytes} bytes refused (ERR_MCP_MESSAGE_TOO_LARGE)`,
      ).then(() =>
        fail(
          'ERR_MCP_MESSAGE_TOO_LARGE',
          `the client sent a message over ${deps.settings.maxMessageBytes} bytes`,
        ),
      );
    } else if (isMalformed(error)) {
      const parse = error instanceof SyntaxError;
      void errorTo(
        null,
        parse ? ErrorCode.ParseError : ErrorCode.InvalidRequest,
        // The schema's complaint is pages of zod output; the parser's is one useful line.
        `agentid: ${parse ? `not JSON: ${error.message.slice(0, 200)}` : 'not a JSON-RPC 2.0 message'} (ERR_MCP_PROTOCOL)`,
      );
    } else {
      deps.warn(`MCP client: ${error.message}`);
    }
  }

  /** Every pending request gets an error, both sides are closed, and the proxy exits 1. */
  async function fail(code: AgentIdErrorCode, message: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    deps.warn(`${message}; stopping (${code})`);
    for (const [key, entry] of [...pending]) {
      const id = JSON.parse(key) as RequestId;
      settle(id);
      if (entry.call) report(entry.call, { status: 'error', rpcCode: ErrorCode.InternalError });
      await errorTo(id, ErrorCode.InternalError, `agentid: ${message} before answering (${code})`, { code });
    }
    await shutdown();
    finish(1);
  }

  async function shutdown(): Promise<void> {
    const current = server;
    server = null;
    if (current) {
      current.onclose = undefined;
      await current.close().catch(() => {});
    }
    await deps.client.close().catch(() => {});
  }

  deps.client.onmessage = (message) => {
    clientQueue = clientQueue.then(() =>
      fromClient(message).catch((err: unknown) => deps.warn(`relaying to the server failed: ${String(err)}`)),
    );
  };
  deps.client.onerror = (error) => onClientError(error);
  await launch();
  await deps.client.start();

  return {
    done,
    endOfInput() {
      void (async () => {
        await clientQueue;
        if (pending.size > 0) await Promise.race([drained(), deps.sleep(DRAIN_TIMEOUT_MS)]);
        if (stopping) return;
        stopping = true;
        await shutdown();
        finish(0);
      })();
    },
  };
}

function outcomeOf(message: JSONRPCMessage): Pick<McpResultRequest, 'status' | 'rpcCode'> {
  if (isJSONRPCErrorResponse(message)) return { status: 'error', rpcCode: message.error.code };
  const result = (message as { result?: { isError?: unknown } }).result;
  return { status: result?.isError === true ? 'tool-error' : 'ok' };
}

function isCallMethod(method: string): method is McpCallMethod {
  return method === 'tools/call' || method === 'prompts/get' || method === 'resources/read';
}

function isListMethod(method: string): method is McpListMethod {
  return (LIST_METHODS as readonly string[]).includes(method);
}

/** The SDK's ReadBuffer refuses a line over its maxBufferSize with this message. */
function isTooLarge(error: Error): boolean {
  return error.message.includes('exceeded maximum size');
}

/** JSON.parse failed (SyntaxError) or the SDK's JSON-RPC schema refused it (ZodError). */
function isMalformed(error: Error): boolean {
  return error instanceof SyntaxError || error.name === 'ZodError';
}

function toAgentIdErrorWith(code: AgentIdErrorCode, message: string, cause?: unknown): AgentIdError {
  if (cause === undefined) return new AgentIdError(code, message);
  // A coded failure (a policy deny for a credential, a daemon that is down) keeps its code.
  const error = toAgentIdError(cause);
  return error.code === 'ERR_INTERNAL'
    ? new AgentIdError(code, `${message}: ${error.message}`, { cause })
    : error;
}
