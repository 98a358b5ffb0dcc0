/**
 * ConnectionSlots (connection-slots.ts) for an HTTP front door: a connection takes a slot when it
 * is accepted and is `fresh` until its request's headers are parsed, `busy` from then (the front
 * door marks its body read), `idle` once answered and kept alive. Taken slots are answered with a
 * coded 408 (a fresh connection on its raw socket, a request through its response), idle ones
 * just closed; a request on an overflow place gets a coded 503 ERR_DAEMON_BUSY. What happens at
 * the cap is logged as counts, once per interval, never a line per connection.
 */
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { AgentIdError } from '../src/errors.js';
import { inputWaiting } from '../src/peer/index.js';
import { ConnectionSlots, type Slot, type SlotLimits } from './connection-slots.js';

export interface HttpSlotsOptions extends SlotLimits {
  now: () => number;
  /** The front door's error body: `{error: {code, message}}` on the socket, `{code, message}` for the AWS SDKs. */
  errorBody: (error: AgentIdError) => unknown;
  warn: (line: string) => void;
  /** How often what happened at the cap is logged, at most. */
  logIntervalMs: number;
}

type Pressure = 'busy' | 'evicted' | 'dropped';

export class HttpSlots {
  readonly #options: HttpSlotsOptions;
  readonly #slots: ConnectionSlots;
  readonly #bySocket = new WeakMap<Socket, Slot>();
  #pressure: Record<Pressure, number> = { busy: 0, evicted: 0, dropped: 0 };
  #logPending = false;

  constructor(options: HttpSlotsOptions) {
    this.#options = options;
    this.#slots = new ConnectionSlots(options, options.now);
  }

  /** Connections holding a slot. */
  get size(): number {
    return this.#slots.size;
  }

  /** A new connection: true when it got a slot or an overflow place, false when it was closed. */
  connect(socket: Socket): boolean {
    const slot = this.#slots.open(
      () => {
        this.#note('evicted');
        // Whatever of its request still arrives is not served.
        this.#bySocket.delete(socket);
        answerRaw(socket, 408, this.#options.errorBody(evictedError()));
      },
      () => inputWaiting(socket),
    );
    if (!slot) {
      this.#note('dropped');
      socket.destroy();
      return false;
    }
    this.#bySocket.set(socket, slot);
    socket.once('close', () => slot.close());
    return true;
  }

  /**
   * A request's headers are in: its slot, now busy, or null when the request was answered here
   * (503 on an overflow place) or its connection is unknown (closed).
   */
  request(req: IncomingMessage, res: ServerResponse, fail: (error: AgentIdError) => void): Slot | null {
    const slot = this.#bySocket.get(req.socket);
    if (!slot) {
      req.socket.destroy();
      return null;
    }
    if (slot.overflow) {
      this.#note('busy');
      res.shouldKeepAlive = false;
      fail(
        new AgentIdError(
          'ERR_DAEMON_BUSY',
          'every connection slot is in use by requests in progress; try again in a moment',
        ),
      );
      return null;
    }
    slot.enter('busy');
    slot.evict = () => {
      this.#note('evicted');
      res.shouldKeepAlive = false;
      fail(evictedError());
    };
    res.once('close', () => {
      slot.enter('idle');
      slot.evict = () => req.socket.destroy();
    });
    return slot;
  }

  #note(kind: Pressure): void {
    this.#pressure[kind] += 1;
    if (this.#logPending) return;
    this.#logPending = true;
    setTimeout(() => {
      const { busy, evicted, dropped } = this.#pressure;
      this.#pressure = { busy: 0, evicted: 0, dropped: 0 };
      this.#logPending = false;
      this.#options.warn(
        `at the connection cap (${this.#options.cap}) in the last ${this.#options.logIntervalMs / 1000} s: ` +
          `${busy} answered 503 busy, ${evicted} slow or idle connections evicted, ${dropped} closed at once`,
      );
    }, this.#options.logIntervalMs).unref();
  }
}

function evictedError(): AgentIdError {
  return new AgentIdError(
    'ERR_REQUEST_TIMEOUT',
    'the request was too slow to arrive and its connection was needed; send it at once',
  );
}

/** A coded answer on a socket whose request was not (fully) parsed, then the end of it. */
export function answerRaw(socket: Socket, status: number, body: unknown): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const payload = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`,
  );
}
