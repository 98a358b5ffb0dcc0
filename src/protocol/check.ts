/**
 * The small pieces request checks are made of (requests.ts, mcp-requests.ts). Pure, and free of
 * other layers, so the start-up-critical helpers can load the endpoint table for almost nothing.
 */
import { AgentIdError, type ErrorCode } from '../errors.js';

/** The fields of a JSON body; a body that is not an object has none, so its checks fail. */
export function fieldsOf(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

/** A string of 1-max characters. */
export function isName(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max;
}

export function refuse(message: string, code: ErrorCode = 'ERR_USAGE'): never {
  throw new AgentIdError(code, message);
}
