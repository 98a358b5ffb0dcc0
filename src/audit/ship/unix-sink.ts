/**
 * Syslog to a local Unix datagram socket (`unix:///dev/log`, Linux): one RFC 5424 message per
 * datagram. Unix datagrams are reliable: send() succeeds only once the message is in the reader's
 * queue, and a full queue says so instead of dropping, so "delivered" here means the local syslog
 * daemon has it. The socket is non-blocking; a full queue is retried after a short pause, bounded
 * by the send timeout, and never blocks the thread.
 */
import { closeSync } from 'node:fs';
import type { AuditRow } from '../types.js';
import { type ShipSink, timedOut, unavailable } from './sink.js';

export interface UnixSinkDeps {
  connect(path: string): { fd: number } | { errno: string };
  send(fd: number, data: Buffer): 'sent' | 'full' | string;
  sleep(ms: number): Promise<void>;
  monotonicMs(): number;
}

export interface UnixSinkOptions {
  path: string;
  target: string;
  encode(row: AuditRow): Buffer;
  sendTimeoutMs: number;
}

/** Pause before retrying a full queue: short, since a syslog daemon empties it quickly. */
const FULL_RETRY_MS = 5;

export class UnixSyslogSink implements ShipSink {
  readonly name = 'syslog';
  readonly target: string;
  readonly #options: UnixSinkOptions;
  readonly #deps: UnixSinkDeps;
  #fd: number | null = null;
  #delivered: number | null = null;

  constructor(options: UnixSinkOptions, deps: UnixSinkDeps) {
    this.#options = options;
    this.#deps = deps;
    this.target = options.target;
  }

  async open(): Promise<void> {
    if (this.#fd !== null) return;
    const result = this.#deps.connect(this.#options.path);
    if ('errno' in result) throw unavailable(this.target, new Error(result.errno));
    this.#fd = result.fd;
  }

  async send(rows: readonly AuditRow[]): Promise<void> {
    for (const row of rows) {
      const data = this.#options.encode(row);
      const started = this.#deps.monotonicMs();
      for (;;) {
        if (this.#fd === null) throw unavailable(this.target, new Error('not open'));
        const outcome = this.#deps.send(this.#fd, data);
        if (outcome === 'sent') break;
        if (outcome !== 'full') throw unavailable(this.target, new Error(outcome));
        if (this.#deps.monotonicMs() - started > this.#options.sendTimeoutMs)
          throw timedOut(
            this.target,
            'the syslog daemon did not empty its queue',
            this.#options.sendTimeoutMs,
          );
        await this.#deps.sleep(FULL_RETRY_MS);
      }
      this.#delivered = row.seq;
    }
  }

  delivered(): number | null {
    return this.#delivered;
  }

  async sync(): Promise<void> {}

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    this.#delivered = null;
  }
}
