/**
 * The shapes of audit shipping that others read: the cursor file, gap reports and the status the
 * daemon serves. Types only, so the wire protocol and the CLI can name them for free.
 */

/** Rows the log no longer had when the shipper reached them. */
export interface GapReport {
  /** First and last missing seq. */
  from: number;
  to: number;
  /** 'pruned': a prune's anchor covers them (retention); 'deleted': removed outside agentid. */
  reason: 'pruned' | 'deleted';
  /** When the shipper found the gap (ISO). */
  at: string;
}

export interface CursorState {
  /** The last seq delivered; rows after it are owed to the sink. */
  seq: number;
  /** The sink's target when written (a changed target resumes where the old one stopped). */
  target: string;
  /** The last gap found, kept so `status` still shows it after a restart. */
  gap: GapReport | null;
}

export type ShipState = 'starting' | 'shipping' | 'idle' | 'retrying' | 'stopped';

export interface ShipStatus {
  sink: 'syslog' | 'file';
  target: string;
  state: ShipState;
  /** The last seq known delivered. */
  cursor: number;
  /** The newest seq in the log when last looked. */
  headSeq: number;
  /** Rows committed but not yet known delivered. */
  lagRows: number;
  /** Time of the oldest row not yet delivered; null when caught up. */
  oldestPending: string | null;
  /** Rows delivered since the daemon started. */
  shipped: number;
  lastDeliveryAt: string | null;
  lastError: { code: string; message: string; at: string } | null;
  /** The last gap (persisted across restarts), and whether it was found since this start. */
  gap: (GapReport & { sinceStart: boolean }) | null;
  /** When the next attempt is due while retrying. */
  retryAt: string | null;
}
