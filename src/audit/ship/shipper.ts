/**
 * Ships committed audit rows to one sink, at least once, in seq order. It reads the log (never
 * the writer's path: a separate read-only connection, in the shipping worker), sends a bounded
 * batch after the last row sent, and moves the cursor only as far as the sink knows rows were
 * delivered. On any failure it drops the connection, backs off (exponential, jittered, capped) and
 * resends from the cursor; the log itself is the buffer, so an outage of any length costs no
 * memory. The cursor is saved at most once per `persistMs` and when stopping, so a crash resends
 * at most what was delivered since the last save.
 *
 * Rows missing between the cursor and the next row the log holds were pruned (or deleted) before
 * they were shipped: that is a gap, reported once through `onGap` (the daemon audits it) and kept
 * in the status, and shipping goes on after it.
 */
import { AgentIdError, toAgentIdError } from '../../errors.js';
import type { AuditRow } from '../types.js';
import type { ShipSink } from './sink.js';
import type { CursorState, GapReport, ShipState, ShipStatus } from './types.js';

export interface ShipSource {
  /** Up to `limit` rows with seq > `seq`, in seq order. */
  after(seq: number, limit: number): AuditRow[];
  /** The newest seq the log has held (0 when none). */
  headSeq(): number;
  /** The seq before the oldest row the log holds: where a sink that never ran starts. */
  startSeq(): number;
  /** Whether a prune's anchor explains the missing seqs from..to (retention, not tampering). */
  prunedBetween(from: number, to: number): boolean;
}

export interface ShipperDeps {
  source: ShipSource;
  sink: ShipSink;
  cursor: { read(): Promise<CursorState | null>; write(state: CursorState): Promise<void> };
  now(): Date;
  monotonicMs(): number;
  /** Resolves after `ms`, or early once `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  random(): number;
  onGap(gap: GapReport): void;
  /** Something in status() changed. */
  onChange(): void;
}

export interface ShipperOptions {
  batchRows: number;
  /** How often an idle shipper looks for new rows and acknowledgements. */
  pollMs: number;
  persistMs: number;
  /** Bound on one batch handed to the sink. */
  sendTimeoutMs: number;
  backoff: { initialMs: number; maxMs: number };
  /** How long stop() waits for sent rows to be acknowledged before saving the cursor. */
  stopGraceMs: number;
}

export class Shipper {
  readonly #deps: ShipperDeps;
  readonly #options: ShipperOptions;
  readonly #stop = new AbortController();
  #running: Promise<void> | null = null;
  #state: ShipState = 'starting';
  #cursor = 0;
  /** The last seq handed to the sink; rows between the cursor and it are in flight. */
  #sent = 0;
  #head = 0;
  #oldestPending: string | null = null;
  #shipped = 0;
  #lastDeliveryAt: string | null = null;
  #lastError: ShipStatus['lastError'] = null;
  #gap: ShipStatus['gap'] = null;
  #retryAt: string | null = null;
  #dirty = false;
  #savedAt = Number.NEGATIVE_INFINITY;
  #backoffMs: number;

  constructor(deps: ShipperDeps, options: ShipperOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#backoffMs = options.backoff.initialMs;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  /** Stops after the batch in hand, waits (bounded) for acknowledgements, saves the cursor. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }

  status(): ShipStatus {
    return {
      sink: this.#deps.sink.name,
      target: this.#deps.sink.target,
      state: this.#state,
      cursor: this.#cursor,
      headSeq: this.#head,
      lagRows: Math.max(0, this.#head - this.#cursor),
      oldestPending: this.#oldestPending,
      shipped: this.#shipped,
      lastDeliveryAt: this.#lastDeliveryAt,
      lastError: this.#lastError,
      gap: this.#gap,
      retryAt: this.#retryAt,
    };
  }

  async #run(): Promise<void> {
    const { signal } = this.#stop;
    let loaded = false;
    while (!loaded && !signal.aborted) {
      try {
        await this.#loadCursor();
        loaded = true;
      } catch (err) {
        await this.#retryAfter(err);
      }
    }
    while (!signal.aborted) {
      try {
        await this.#deps.sink.open();
        const caughtUp = await this.#shipBatch();
        this.#backoffMs = this.#options.backoff.initialMs;
        this.#retryAt = null;
        await this.#settle(false);
        this.#setState(caughtUp && this.#cursor === this.#sent ? 'idle' : 'shipping');
        if (caughtUp) await this.#deps.sleep(this.#options.pollMs, signal);
      } catch (err) {
        await this.#retryAfter(err);
      }
    }
    await this.#finish();
  }

  async #loadCursor(): Promise<void> {
    const { source, sink } = this.#deps;
    let saved: CursorState | null = null;
    try {
      saved = await this.#deps.cursor.read();
      const head = source.headSeq();
      if (saved && saved.seq > head) {
        throw new AgentIdError(
          'ERR_AUDIT_SHIP_CURSOR',
          `the ship cursor of ${sink.target} is at seq ${saved.seq}, beyond the log's last row ${head} ` +
            '(was audit.db replaced?); shipping restarts from the oldest row in the log',
        );
      }
    } catch (err) {
      this.#recordError(err);
      saved = null;
    }
    // A sink that never ran owes the rows from now on the log's oldest row: nothing before it was
    // ever promised, so rows pruned before it existed are not a gap.
    this.#cursor = saved?.seq ?? source.startSeq();
    this.#sent = this.#cursor;
    if (saved?.gap) this.#gap = { ...saved.gap, sinceStart: false };
    if (saved === null || saved.target !== sink.target) {
      this.#dirty = true;
      await this.#save();
    }
  }

  /** Sends the next batch; true when it reached the end of the log. */
  async #shipBatch(): Promise<boolean> {
    const { source, sink } = this.#deps;
    const rows = source.after(this.#sent, this.#options.batchRows);
    this.#head = Math.max(this.#head, source.headSeq(), rows.at(-1)?.seq ?? 0);
    const first = rows[0];
    if (first === undefined) return true;
    if (first.seq !== this.#sent + 1) await this.#reportGap(this.#sent + 1, first.seq - 1);
    await this.#bounded(sink.send(rows));
    this.#sent = rows.at(-1)?.seq ?? this.#sent;
    return rows.length < this.#options.batchRows;
  }

  async #reportGap(from: number, to: number): Promise<void> {
    // Found again after a resend from an older cursor: it was reported already.
    const known = this.#gap && this.#gap.from <= from && to <= this.#gap.to;
    if (!known) {
      const reason = this.#deps.source.prunedBetween(from, to) ? 'pruned' : 'deleted';
      const gap: GapReport = { from, to, reason, at: this.#deps.now().toISOString() };
      this.#gap = { ...gap, sinceStart: true };
      this.#deps.onGap(gap);
      this.#deps.onChange();
    }
    // Nothing between the cursor and the gap is in flight: the cursor can skip what no longer exists.
    if (this.#cursor === this.#sent) {
      this.#cursor = to;
      this.#dirty = true;
      await this.#save();
    }
    this.#sent = to;
  }

  /** Takes what the sink now knows delivered; saves the cursor when due (or when `force`). */
  async #settle(force: boolean): Promise<void> {
    this.#take();
    const due = this.#deps.monotonicMs() - this.#savedAt >= this.#options.persistMs;
    if (this.#dirty && (force || due)) await this.#save();
    this.#refreshPending();
  }

  #refreshPending(): void {
    this.#oldestPending =
      this.#cursor >= this.#head ? null : (this.#deps.source.after(this.#cursor, 1)[0]?.time ?? null);
  }

  #take(): void {
    const delivered = this.#deps.sink.delivered();
    if (delivered === null || delivered <= this.#cursor) return;
    this.#shipped += delivered - this.#cursor - this.#gapRowsBetween(this.#cursor, delivered);
    this.#cursor = delivered;
    this.#lastDeliveryAt = this.#deps.now().toISOString();
    this.#dirty = true;
    this.#deps.onChange();
  }

  /** Rows of the current gap inside (from, to]: counted as missing, not as shipped. */
  #gapRowsBetween(from: number, to: number): number {
    const gap = this.#gap;
    if (!gap?.sinceStart) return 0;
    return Math.max(0, Math.min(to, gap.to) - Math.max(from + 1, gap.from) + 1);
  }

  async #save(): Promise<void> {
    // The sink first: a saved cursor must never name a row the sink could still lose.
    await this.#deps.sink.sync();
    const gap = this.#gap
      ? { from: this.#gap.from, to: this.#gap.to, reason: this.#gap.reason, at: this.#gap.at }
      : null;
    await this.#deps.cursor.write({ seq: this.#cursor, target: this.#deps.sink.target, gap });
    this.#savedAt = this.#deps.monotonicMs();
    this.#dirty = false;
  }

  async #retryAfter(err: unknown): Promise<void> {
    const { sink } = this.#deps;
    this.#take();
    sink.close();
    this.#sent = this.#cursor;
    this.#recordError(err);
    const delay = this.#backoffMs * (0.8 + 0.4 * this.#deps.random());
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#options.backoff.maxMs);
    this.#retryAt = new Date(this.#deps.now().getTime() + delay).toISOString();
    this.#setState('retrying');
    try {
      if (this.#dirty) await this.#save();
    } catch (saveErr) {
      this.#recordError(saveErr);
    }
    // The lag keeps growing while the sink is down: status shows it as it is, not as it was.
    const until = this.#deps.monotonicMs() + delay;
    for (let left = delay; left > 0 && !this.#stop.signal.aborted; left = until - this.#deps.monotonicMs()) {
      await this.#look();
      await this.#deps.sleep(Math.min(left, this.#options.pollMs), this.#stop.signal);
    }
  }

  /**
   * While the sink is down: refreshes the head and the oldest pending row for status, and reports
   * a gap as soon as retention opens one, not only once the collector is back.
   */
  async #look(): Promise<void> {
    try {
      const head = this.#deps.source.headSeq();
      if (head !== this.#head) {
        this.#head = head;
        this.#deps.onChange();
      }
      const next = this.#deps.source.after(this.#sent, 1)[0];
      if (next && next.seq !== this.#sent + 1) await this.#reportGap(this.#sent + 1, next.seq - 1);
      this.#refreshPending();
    } catch {
      // The log is unreadable for a moment; the next attempt reports it.
    }
  }

  async #finish(): Promise<void> {
    const deadline = this.#deps.monotonicMs() + this.#options.stopGraceMs;
    const never = new AbortController().signal;
    try {
      while (this.#sent > this.#cursor && this.#deps.monotonicMs() < deadline) {
        this.#take();
        if (this.#sent > this.#cursor) await this.#deps.sleep(10, never);
      }
      await this.#settle(true);
    } catch (err) {
      this.#recordError(err);
    }
    this.#deps.sink.close();
    this.#setState('stopped');
  }

  #bounded(sending: Promise<void>): Promise<void> {
    const ms = this.#options.sendTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new AgentIdError(
              'ERR_AUDIT_SHIP_TIMEOUT',
              `audit sink ${this.#deps.sink.target} did not take a batch within ${ms} ms; retrying`,
            ),
          ),
        ms,
      );
    });
    // Past the timeout the send may still fail; the shipper has moved on by then.
    sending.catch(() => {});
    return Promise.race([sending, timeout]).finally(() => clearTimeout(timer));
  }

  #recordError(err: unknown): void {
    const error = toAgentIdError(err);
    this.#lastError = { code: error.code, message: error.message, at: this.#deps.now().toISOString() };
    this.#deps.onChange();
  }

  #setState(state: ShipState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#deps.onChange();
  }
}
