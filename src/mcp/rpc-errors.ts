/**
 * The JSON-RPC error answers the proxy gives itself, in one shape: an AgentIdError becomes an
 * internal error whose message names its code and whose data carries it, so a client can branch
 * on `error.data.code` as the CLI's callers branch on exit codes.
 */
import { ErrorCode, type JSONRPCErrorResponse, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { AgentIdError } from '../errors.js';

/** `id` null answers a message whose id could not be read, as JSON-RPC says. */
export function errorResponse(
  id: RequestId | null,
  code: number,
  message: string,
  data?: unknown,
): JSONRPCErrorResponse {
  return {
    jsonrpc: '2.0',
    // The SDK's type has no null id.
    id: id as RequestId,
    error: { code, message, ...(data === undefined ? {} : { data }) },
  };
}

export function agentIdErrorResponse(id: RequestId, error: AgentIdError): JSONRPCErrorResponse {
  return errorResponse(id, ErrorCode.InternalError, `agentid: ${error.message} (${error.code})`, {
    code: error.code,
  });
}
