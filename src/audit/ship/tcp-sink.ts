/**
 * Syslog over TCP (RFC 6587, octet-counted frames of RFC 5424 messages). Plain TCP has no
 * acknowledgement of its own, so "delivered" is what the collector's kernel acknowledged: the
 * bytes written minus what Node still buffers minus what the kernel reports unacknowledged
 * (SIOCOUTQ). A row written into a connection the collector had already closed is never
 * acknowledged, so it is resent after the reconnect rather than lost. What this cannot see is a
 * collector that dies with acknowledged bytes still unread in its socket, or in its own memory
 * queue; a collector that must not lose them uses a disk-assisted queue (README, Team setup).
 *
 * Bounded: one batch at a time, and a collector that does not take a batch within the send
 * timeout, or acknowledges nothing for as long, is dropped and reconnected with backoff.
 */
import type { Socket } from 'node:net';
import type { AuditRow } from '../types.js';
import { octetCounted } from './framing.js';
import { type ShipSink, timedOut, unavailable } from './sink.js';

export interface TcpSinkDeps {
  connect(host: string, port: number): Socket;
  /** Bytes sent on the socket that the peer has not acknowledged; null where the OS cannot say. */
  unacknowledged(socket: Socket): number | null;
  monotonicMs(): number;
}

export interface TcpSinkOptions {
  host: string;
  port: number;
  /** The URL, for status and messages. */
  target: string;
  encode(row: AuditRow): Buffer;
  connectTimeoutMs: number;
  /** Bound on a write waiting for room, and on acknowledged bytes not moving while some are owed. */
  sendTimeoutMs: number;
}

interface Connection {
  socket: Socket;
  /** Set once the connection failed or the collector closed it. */
  broken: Error | null;
  /** Bytes written on this connection. */
  written: number;
  /** Sent rows not yet known delivered: their seq and where their frame ends in the stream. */
  pending: { seq: number; end: number }[];
  delivered: number | null;
  /** Acknowledged bytes at the last check, and when they last moved. */
  acked: number;
  progressAt: number;
}

export class TcpSyslogSink implements ShipSink {
  readonly name = 'syslog';
  readonly target: string;
  readonly #options: TcpSinkOptions;
  readonly #deps: TcpSinkDeps;
  #connection: Connection | null = null;

  constructor(options: TcpSinkOptions, deps: TcpSinkDeps) {
    this.#options = options;
    this.#deps = deps;
    this.target = options.target;
  }

  async open(): Promise<void> {
    if (this.#connection && !this.#connection.broken) return;
    this.close();
    const { host, port, connectTimeoutMs } = this.#options;
    const socket = this.#deps.connect(host, port);
    const connection: Connection = {
      socket,
      broken: null,
      written: 0,
      pending: [],
      delivered: null,
      acked: 0,
      progressAt: this.#deps.monotonicMs(),
    };
    const fail = (err: Error) => {
      connection.broken ??= err;
    };
    socket.on('error', fail);
    // A collector sends nothing back; reading keeps the 'end' of a closed connection visible.
    socket.on('data', () => {});
    socket.on('end', () => fail(new Error('the collector closed the connection')));
    socket.on('close', () => fail(new Error('the connection closed')));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(timedOut(this.target, 'no connection', connectTimeoutMs));
      }, connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(unavailable(this.target, err));
      });
    });
    socket.setKeepAlive(true, 10_000);
    this.#connection = connection;
  }

  async send(rows: readonly AuditRow[]): Promise<void> {
    const connection = this.#live();
    const frames = rows.map((row) => octetCounted(this.#options.encode(row)));
    let end = connection.written;
    rows.forEach((row, i) => {
      end += (frames[i] as Buffer).length;
      connection.pending.push({ seq: row.seq, end });
    });
    connection.written = end;
    if (!connection.socket.write(Buffer.concat(frames))) await this.#drained(connection);
    this.#live();
  }

  delivered(): number | null {
    const connection = this.#connection;
    if (!connection) return null;
    const { socket } = connection;
    let unacknowledged: number | null = null;
    if (!connection.broken) {
      try {
        unacknowledged = this.#deps.unacknowledged(socket);
      } catch (err) {
        connection.broken = err as Error;
      }
    }
    // Without SIOCOUTQ, what reached the kernel counts; once broken, only what was acknowledged before.
    const inKernel = connection.written - socket.writableLength;
    const acked = connection.broken ? connection.acked : inKernel - (unacknowledged ?? 0);
    const now = this.#deps.monotonicMs();
    if (acked > connection.acked) {
      connection.acked = acked;
      connection.progressAt = now;
    } else if (connection.pending.length === 0) {
      connection.progressAt = now;
    } else if (!connection.broken && now - connection.progressAt > this.#options.sendTimeoutMs) {
      connection.broken = timedOut(
        this.target,
        'the collector acknowledged nothing',
        this.#options.sendTimeoutMs,
      );
    }
    while (connection.pending.length > 0 && (connection.pending[0]?.end ?? Infinity) <= connection.acked) {
      connection.delivered = connection.pending.shift()?.seq ?? connection.delivered;
    }
    return connection.delivered;
  }

  async sync(): Promise<void> {
    // Nothing more to make durable: the collector's kernel has what was acknowledged.
  }

  close(): void {
    this.#connection?.socket.destroy();
    this.#connection = null;
  }

  #live(): Connection {
    const connection = this.#connection;
    if (!connection) throw unavailable(this.target, new Error('not connected'));
    if (connection.broken) throw unavailable(this.target, connection.broken);
    return connection;
  }

  #drained(connection: Connection): Promise<void> {
    const { socket } = connection;
    const ms = this.#options.sendTimeoutMs;
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        socket.off('drain', onDrain);
        socket.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => done();
      const onClose = () =>
        done(unavailable(this.target, connection.broken ?? new Error('the connection closed')));
      const timer = setTimeout(() => {
        connection.broken ??= timedOut(this.target, 'the collector did not read', ms);
        done(connection.broken);
      }, ms);
      socket.on('drain', onDrain);
      socket.on('close', onClose);
    });
  }
}
