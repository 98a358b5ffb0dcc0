/**
 * MCP's stdio framing, the one place the proxy parses what it relays: one JSON-RPC message per
 * line, each line bounded by `[mcp] max_message_bytes`. What cannot be relayed comes out as a
 * FrameError whose `kind` says why, so the proxy decides by kind and never by message text. Bounds
 * on what a message may hold (nesting, ...) belong here too.
 */
import {
  type JSONRPCMessage,
  JSONRPCMessageSchema,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { checkDepth } from '../protocol/index.js';

export type FrameErrorKind = 'too-large' | 'not-json' | 'not-jsonrpc' | 'too-deep';

/** Of a message refused unread ('too-deep'): its id and whether it is a request, so it can be answered. */
export interface FrameOrigin {
  id: RequestId;
  request: boolean;
}

export class FrameError extends Error {
  readonly kind: FrameErrorKind;
  readonly origin: FrameOrigin | null;

  constructor(kind: FrameErrorKind, message: string, origin: FrameOrigin | null = null) {
    super(message);
    this.name = 'FrameError';
    this.kind = kind;
    this.origin = origin;
  }
}

const NEWLINE = 0x0a;

/** Splits a byte stream into messages; after a line over the bound it reads nothing more. */
export class MessageReader {
  readonly #maxBytes: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #overflowed = false;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** The messages (and framing errors, in stream order) that `chunk` completes. */
  push(chunk: Buffer): (JSONRPCMessage | FrameError)[] {
    const out: (JSONRPCMessage | FrameError)[] = [];
    let start = 0;
    while (!this.#overflowed) {
      const end = chunk.indexOf(NEWLINE, start);
      const piece = chunk.subarray(start, end === -1 ? chunk.length : end);
      if (this.#pendingBytes + piece.length > this.#maxBytes) {
        this.#overflowed = true;
        this.#pending = [];
        out.push(new FrameError('too-large', `a message is over ${this.#maxBytes} bytes`));
        break;
      }
      if (end === -1) {
        this.#pending.push(piece);
        this.#pendingBytes += piece.length;
        break;
      }
      const line = Buffer.concat([...this.#pending, piece])
        .toString('utf8')
        .replace(/\r$/, '');
      this.#pending = [];
      this.#pendingBytes = 0;
      // An empty line is not JSON either: it gets the same answer as any other line that is not.
      out.push(parseLine(line));
      start = end + 1;
    }
    return out;
  }
}

function parseLine(line: string): JSONRPCMessage | FrameError {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (err) {
    return new FrameError('not-json', (err as Error).message.slice(0, 200));
  }
  // Before anything walks it (the schema, JSON.stringify when relaying): deep nesting overflows the stack.
  const tooDeep = checkDepth(json, 'the message');
  if (tooDeep) return new FrameError('too-deep', tooDeep.message, originOf(json));
  const parsed = JSONRPCMessageSchema.safeParse(json);
  // The schema's complaint is pages of zod output; the kind says all the peer needs.
  return parsed.success ? parsed.data : new FrameError('not-jsonrpc', 'not a JSON-RPC 2.0 message');
}

function originOf(json: unknown): FrameOrigin | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const { id, method } = json as { id?: unknown; method?: unknown };
  if (typeof id !== 'string' && typeof id !== 'number') return null;
  return { id, request: typeof method === 'string' };
}

export function serialize(message: JSONRPCMessage): string {
  return `${JSON.stringify(message)}\n`;
}
