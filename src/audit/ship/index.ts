/**
 * Audit shipping: committed rows to a team's collectors (syslog RFC 5424 over TCP, UDP or a Unix
 * socket; OCSF JSON lines in a rotated file), at least once, in seq order, from a persisted cursor.
 * The daemon runs it in a worker thread, off the request path (daemon/ship-worker.ts).
 */
export { auditSyslogMessage, type SyslogOrigin } from './audit-message.js';
export { readCursor, writeCursor } from './cursor.js';
export { JsonlFileSink } from './file-sink.js';
export { Shipper, type ShipperDeps, type ShipperOptions, type ShipSource } from './shipper.js';
export type { ShipSink } from './sink.js';
export { readerSource } from './source.js';
export { TcpSyslogSink } from './tcp-sink.js';
export type * from './types.js';
export { UdpSyslogSink } from './udp-sink.js';
export { UnixSyslogSink } from './unix-sink.js';
