/**
 * The daemon's say in the relay: a call is decided (and audited) before it is forwarded, how it
 * ended is reported once it is answered, and a list answer keeps what policy permits. The gate
 * neither reads nor writes the client or the server: the relay sends what it returns.
 */
import {
  ErrorCode,
  isJSONRPCErrorResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type JSONRPCResultResponse,
} from '@modelcontextprotocol/sdk/types.js';
import { toAgentIdError } from '../errors.js';
import {
  type DaemonCaller,
  endpoints,
  isRepresentableName,
  type McpCallSummary,
  type McpDecideResponse,
  type McpListMethod,
  type McpResultRequest,
  type McpStartResponse,
} from '../protocol/index.js';
import { agentIdErrorResponse, errorResponse } from './rpc-errors.js';

/** JSON-RPC error code of a call denied by policy (server-defined range, -32000..-32099). */
const POLICY_DENIED_CODE = -32003;
/** Arguments sent to the daemon for audit_arguments, at most (its body limit is 64 KiB). */
const ARGUMENTS_MAX = 32 * 1024;

export interface GateDeps {
  server: string;
  daemon: DaemonCaller;
  settings: McpStartResponse;
  nowMs(): number;
  warn(line: string): void;
}

/** An allowed call: what was decided, the decision's audit event, and when it was forwarded. */
export interface DecidedCall {
  summary: McpCallSummary;
  eventId: string;
  started: number;
}

/** Allowed, or the error the client gets instead (the call never reaches the server). */
export type Decision = { call: DecidedCall } | { refusal: JSONRPCMessage };

export class PolicyGate {
  readonly #deps: GateDeps;

  constructor(deps: GateDeps) {
    this.#deps = deps;
  }

  async decide(request: JSONRPCRequest, summary: McpCallSummary): Promise<Decision> {
    let decision: McpDecideResponse;
    try {
      decision = await this.#deps.daemon.call(
        endpoints.mcpDecide,
        this.#withArguments(summary, request.params),
      );
    } catch (err) {
      // Fail closed: without a decision the call does not reach the server.
      return { refusal: agentIdErrorResponse(request.id, toAgentIdError(err)) };
    }
    if (decision.decision === 'deny') {
      return {
        refusal: errorResponse(
          request.id,
          POLICY_DENIED_CODE,
          `agentid: denied by policy: ${decision.reason}`,
          {
            code: 'ERR_POLICY_DENIED',
            policyIds: decision.policyIds,
          },
        ),
      };
    }
    return { call: { summary, eventId: decision.eventId, started: this.#deps.nowMs() } };
  }

  /** How a call ended, from the server's answer. */
  reportAnswer(call: DecidedCall, answer: JSONRPCMessage): void {
    this.#report(call, outcomeOf(answer));
  }

  /** A call that got no answer from the server. */
  reportFailure(call: DecidedCall): void {
    this.#report(call, { status: 'error', rpcCode: ErrorCode.InternalError });
  }

  /** The server's answer to a list request, keeping (or marking) only what policy permits. */
  async filterList(method: McpListMethod, answer: JSONRPCResultResponse): Promise<JSONRPCMessage> {
    const field = method.split('/')[0] as 'tools' | 'prompts' | 'resources';
    const key = method === 'resources/list' ? 'uri' : 'name';
    const items = Array.isArray(answer.result[field])
      ? (answer.result[field] as Record<string, unknown>[])
      : [];
    const nameOf = (item: Record<string, unknown>) => String(item[key] ?? '');
    let allowed: Set<string>;
    try {
      const permitted = await this.#deps.daemon.call(endpoints.mcpList, {
        server: this.#deps.server,
        method,
        // A name policy and audit cannot hold is never asked about: it counts as denied.
        names: items.map(nameOf).filter(isRepresentableName),
      });
      allowed = new Set(permitted.allowed);
    } catch (err) {
      return agentIdErrorResponse(answer.id, toAgentIdError(err));
    }
    const kept = this.#deps.settings.hideDenied
      ? items.filter((item) => allowed.has(nameOf(item)))
      : items.map((item) =>
          allowed.has(nameOf(item))
            ? item
            : { ...item, description: `[denied by agentid policy] ${String(item.description ?? '')}`.trim() },
        );
    return { ...answer, result: { ...answer.result, [field]: kept } };
  }

  #withArguments(summary: McpCallSummary, params: JSONRPCRequest['params']): McpCallSummary {
    if (!this.#deps.settings.auditArguments) return summary;
    const args = summary.method === 'resources/read' ? undefined : params?.arguments;
    if (args === undefined) return summary;
    const size = JSON.stringify(args)?.length ?? 0;
    return { ...summary, arguments: size <= ARGUMENTS_MAX ? args : `(${size} characters, not sent)` };
  }

  #report(call: DecidedCall, outcome: Pick<McpResultRequest, 'status' | 'rpcCode'>): void {
    const body: McpResultRequest = {
      eventId: call.eventId,
      server: call.summary.server,
      method: call.summary.method,
      name: call.summary.name,
      latencyMs: Math.max(0, this.#deps.nowMs() - call.started),
      ...outcome,
    };
    // Off the answer's path: the decision row is already committed; this one adds how it ended.
    this.#deps.daemon
      .call(endpoints.mcpResult, body)
      .catch((err: unknown) =>
        this.#deps.warn(`could not record the result of ${call.summary.name}: ${String(err)}`),
      );
  }
}

function outcomeOf(answer: JSONRPCMessage): Pick<McpResultRequest, 'status' | 'rpcCode'> {
  if (isJSONRPCErrorResponse(answer)) return { status: 'error', rpcCode: answer.error.code };
  const result = (answer as { result?: { isError?: unknown } }).result;
  return { status: result?.isError === true ? 'tool-error' : 'ok' };
}
