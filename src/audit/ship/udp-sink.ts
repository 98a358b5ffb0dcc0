/**
 * Syslog over UDP (RFC 5426): one RFC 5424 message per datagram. UDP acknowledges nothing, so a row
 * counts as delivered once the kernel has sent its datagram; a collector that is down loses what
 * is sent until the kernel hears of it (an ICMP port unreachable fails a later send, and the
 * shipper then backs off). Best effort by nature: use tcp:// where every row must arrive.
 */
import type { Socket as DgramSocket } from 'node:dgram';
import type { AuditRow } from '../types.js';
import { type ShipSink, timedOut, unavailable } from './sink.js';

export interface UdpSinkDeps {
  /** An unconnected UDP socket of the right family for `host` (udp6 for an IPv6 literal). */
  createSocket(host: string): DgramSocket;
}

export interface UdpSinkOptions {
  host: string;
  port: number;
  target: string;
  encode(row: AuditRow): Buffer;
  connectTimeoutMs: number;
}

export class UdpSyslogSink implements ShipSink {
  readonly name = 'syslog';
  readonly target: string;
  readonly #options: UdpSinkOptions;
  readonly #deps: UdpSinkDeps;
  #socket: DgramSocket | null = null;
  #broken: Error | null = null;
  #delivered: number | null = null;

  constructor(options: UdpSinkOptions, deps: UdpSinkDeps) {
    this.#options = options;
    this.#deps = deps;
    this.target = options.target;
  }

  async open(): Promise<void> {
    if (this.#socket && !this.#broken) return;
    this.close();
    const { host, port, connectTimeoutMs } = this.#options;
    const socket = this.#deps.createSocket(host);
    socket.on('error', (err) => {
      this.#broken ??= err;
    });
    // connect() on UDP only resolves the host and fixes the peer, so sends report its ICMP errors.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.close();
        reject(timedOut(this.target, 'the host name did not resolve', connectTimeoutMs));
      }, connectTimeoutMs);
      socket.connect(port, host, () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(unavailable(this.target, err));
      });
    });
    this.#socket = socket;
    this.#broken = null;
  }

  async send(rows: readonly AuditRow[]): Promise<void> {
    const socket = this.#socket;
    if (!socket || this.#broken) throw unavailable(this.target, this.#broken ?? new Error('not open'));
    for (const row of rows) {
      await new Promise<void>((resolve, reject) => {
        socket.send(this.#options.encode(row), (err) =>
          err ? reject(unavailable(this.target, err)) : resolve(),
        );
      });
      this.#delivered = row.seq;
    }
  }

  delivered(): number | null {
    return this.#delivered;
  }

  async sync(): Promise<void> {}

  close(): void {
    this.#socket?.close();
    this.#socket = null;
    this.#delivered = null;
  }
}
