/**
 * The real rsyslog peer of the shipping tests. It lives in bench/ (bench/rsyslog.ts), which is
 * built to dist/, because the shipping benchmark starts the very same collector.
 */
export { type ReceivedMessage, type Rsyslog, rsyslogMissing, startRsyslog } from '../../bench/rsyslog.js';
