/**
 * Audit shipping as `status` and `doctor` show it: per sink, where it ships, how far (the cursor),
 * how far behind (lag), and what last went wrong. Pure.
 */
import type { ShipStatusView } from '../src/protocol/index.js';

/** `syslog tcp://127.0.0.1:514: idle, cursor 120, lag 0 rows` */
export function describeSink(sink: ShipStatusView): string {
  const since = sink.oldestPending ? ` since ${sink.oldestPending}` : '';
  return `${sink.sink} ${sink.target}: ${sink.state}, cursor ${sink.cursor}, lag ${sink.lagRows} rows${since}`;
}

export function describeShipError(sink: ShipStatusView): string | null {
  const error = sink.lastError;
  if (!error) return null;
  const retry = sink.retryAt ? `; next try ${sink.retryAt}` : '';
  return `last error ${error.at}: ${error.message} (${error.code})${retry}`;
}

export function describeGap(sink: ShipStatusView): string | null {
  const gap = sink.gap;
  if (!gap) return null;
  const how = gap.reason === 'pruned' ? 'pruned by retention' : 'deleted outside agentid';
  return `gap ${gap.at}: rows ${gap.from}..${gap.to} were ${how} before they were shipped (ERR_AUDIT_SHIP_GAP)`;
}

export function formatShipStatus(sinks: readonly ShipStatusView[]): string[] {
  if (sinks.length === 0) return ['  audit ship:  off (no [audit.ship] in config.toml)'];
  return sinks.flatMap((sink, i) => [
    `  ${i === 0 ? 'audit ship: ' : '            '} ${describeSink(sink)}`,
    ...[describeShipError(sink), describeGap(sink)]
      .filter((l) => l !== null)
      .map((l) => `               ${l}`),
  ]);
}
