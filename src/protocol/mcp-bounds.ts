/**
 * Bounds on what crosses the MCP proxy, in both directions, and on what reaches the daemon's
 * /v1/mcp routes (pure, table tested). Here in the protocol layer because both the proxy
 * (src/mcp/proxy.ts) and the endpoints' request checks (mcp-requests.ts) apply them. The size of a message is bounded where it is read
 * (`[mcp] max_message_bytes`); what JSON.parse accepts at any size is nesting: V8 parses any
 * depth, but everything after it that walks the value (JSON.stringify when relaying, the
 * canonical JSON of the arguments digest) recurses, and 5,000 levels overflow the stack. So the
 * depth is measured here without recursion before anything else looks at a message.
 *
 * Names (tools, prompts, resource URIs) become Cedar entity ids and audit columns: they must be
 * well-formed Unicode (a lone UTF-16 surrogate has no UTF-8 form, and Cedar's parser chokes on
 * its escape) and bounded in length.
 */
import { AgentIdError } from '../errors.js';

/** Deepest nesting of objects and arrays in one message; serde_json's default limit, so a Rust MCP peer refuses the same. */
export const MAX_JSON_DEPTH = 128;
/** Longest tool or prompt name or resource URI, in UTF-16 code units. */
export const MAX_NAME_LENGTH = 1024;

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Whether `value` nests objects and arrays deeper than `limit` (a scalar is depth 0, `[]` is 1).
 * Iterative, and it stops at the first level past the limit, so any input is safe to measure.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, above] = next;
    if (typeof node !== 'object' || node === null) continue;
    const depth = above + 1;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth]);
    }
  }
  return false;
}

/** ERR_MCP_MESSAGE_TOO_DEEP when `value` (`what`: "the message", "arguments") nests too deep. */
export function checkDepth(value: unknown, what: string): AgentIdError | null {
  if (!nestsDeeperThan(value, MAX_JSON_DEPTH)) return null;
  return new AgentIdError(
    'ERR_MCP_MESSAGE_TOO_DEEP',
    `${what} nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep; refused unread`,
  );
}

/** Whether policy and audit can hold `name`: 1 to MAX_NAME_LENGTH characters of well-formed Unicode. */
export function isRepresentableName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    name.length <= MAX_NAME_LENGTH &&
    !LONE_SURROGATE.test(name)
  );
}

/** ERR_MCP_NAME_INVALID naming what is wrong with `name` (`field`: "tool name", "uri"); null when fine. */
export function checkName(name: unknown, field: string): AgentIdError | null {
  if (isRepresentableName(name)) return null;
  const why =
    typeof name !== 'string'
      ? 'is not a string'
      : name.length === 0
        ? 'is empty'
        : name.length > MAX_NAME_LENGTH
          ? `is longer than ${MAX_NAME_LENGTH} characters`
          : 'contains a lone UTF-16 surrogate, which no policy or audit row can hold';
  return new AgentIdError('ERR_MCP_NAME_INVALID', `the ${field} ${why}`);
}
