/**
 * What a shipping destination is to the shipper. A sink takes rows in seq order and says which of
 * them it knows were delivered; the shipper moves the cursor only that far. What "delivered" can
 * mean depends on the transport, and each sink says so in its header.
 */
import { AgentIdError } from '../../errors.js';
import type { AuditRow } from '../types.js';

export interface ShipSink {
  /** 'syslog' or 'file': names the cursor file and the status entry. */
  readonly name: 'syslog' | 'file';
  /** What status shows: the URL or the path (never a secret). */
  readonly target: string;
  /** Connects or opens, if not already; bounded in time. Throws a coded AgentIdError. */
  open(): Promise<void>;
  /** Hands the rows over, in order; resolves once they are accepted (not yet known delivered). */
  send(rows: readonly AuditRow[]): Promise<void>;
  /** The highest seq handed to send() since open that is known delivered; null when none is. */
  delivered(): number | null;
  /** Makes what delivered() reports durable where the sink can (the file's fdatasync). */
  sync(): Promise<void>;
  /** Drops the connection or file; what was not delivered is resent from the cursor. */
  close(): void;
}

/** The collector or file cannot be reached or written; rows wait in the audit log. */
export function unavailable(target: string, err: unknown): AgentIdError {
  const why = err instanceof Error ? err.message : String(err);
  return new AgentIdError(
    'ERR_AUDIT_SHIP_UNAVAILABLE',
    `audit sink ${target} is unavailable (${why}); rows wait in the audit log and are sent when it is back`,
    { cause: err },
  );
}

/** The collector did not take what was sent in time (too slow, or not reading). */
export function timedOut(target: string, what: string, ms: number): AgentIdError {
  return new AgentIdError(
    'ERR_AUDIT_SHIP_TIMEOUT',
    `audit sink ${target}: ${what} within ${ms} ms; reconnecting, rows are resent from the cursor`,
  );
}
