/**
 * The audit shipping worker thread: the composition root of shipping, as daemon/main.ts is of the
 * daemon. It runs beside the request path, never on it: its own read-only connection to audit.db,
 * its own event loop for sockets and files, so a collector that is down or slow costs issuance
 * nothing. It talks to the daemon only by messages (daemon/audit-ship.ts): status snapshots and
 * gaps out, `stop` in.
 */
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import {
  AuditReader,
  auditSyslogMessage,
  JsonlFileSink,
  readCursor,
  readerSource,
  Shipper,
  type ShipperOptions,
  type ShipSink,
  TcpSyslogSink,
  UdpSyslogSink,
  UnixSyslogSink,
  writeCursor,
} from '../src/audit/index.js';
import { connectUnixDatagram, sendDatagram, unacknowledgedBytes } from '../src/native/libc.js';
import { socketFd } from '../src/peer/index.js';
import type { ShipWorkerData, ShipWorkerMessage } from './audit-ship.js';

const CONNECT_TIMEOUT_MS = 5_000;
const SEND_TIMEOUT_MS = 15_000;
const STATUS_INTERVAL_MS = 250;
const options: ShipperOptions = {
  batchRows: 256,
  pollMs: 200,
  persistMs: 1_000,
  sendTimeoutMs: SEND_TIMEOUT_MS,
  backoff: { initialMs: 500, maxMs: 15_000 },
  stopGraceMs: 1_000,
};

const port = parentPort;
if (!port) throw new Error('daemon/ship-worker.js runs only as a worker thread');
const data = workerData as ShipWorkerData;
const post = (message: ShipWorkerMessage) => port.postMessage(message);
const monotonicMs = () => performance.now();

const reader = AuditReader.open(data.auditDb);
const shippers = sinks().map(
  (sink) =>
    new Shipper(
      {
        source: readerSource(reader),
        sink,
        cursor: {
          read: () => readCursor(join(data.shipDir, `${sink.name}.cursor`)),
          write: (state) => writeCursor(join(data.shipDir, `${sink.name}.cursor`), state),
        },
        now: () => new Date(),
        monotonicMs,
        sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => {}),
        random: Math.random,
        onGap: (gap) => post({ type: 'gap', sink: sink.name, target: sink.target, gap }),
        onChange: () => statusChanged(),
      },
      options,
    ),
);

// Snapshots at most every STATUS_INTERVAL_MS: a busy shipper changes its cursor per batch.
let statusTimer: NodeJS.Timeout | null = null;
function statusChanged(): void {
  statusTimer ??= setTimeout(() => {
    statusTimer = null;
    post({ type: 'status', sinks: shippers.map((s) => s.status()) });
  }, STATUS_INTERVAL_MS);
}

port.on('message', (message: { type: 'stop' }) => {
  if (message.type !== 'stop') return;
  void Promise.all(shippers.map((s) => s.stop())).then(() => {
    if (statusTimer) clearTimeout(statusTimer);
    post({ type: 'status', sinks: shippers.map((s) => s.status()) });
    reader.close();
    post({ type: 'stopped' });
  });
});
for (const shipper of shippers) shipper.start();

function sinks(): ShipSink[] {
  const { syslog, file, facility } = data.config;
  const out: ShipSink[] = [];
  if (syslog) {
    const origin = { facility, ...data.origin };
    const encode = (row: Parameters<typeof auditSyslogMessage>[0]) => auditSyslogMessage(row, origin);
    if (syslog.transport === 'unix') {
      out.push(
        new UnixSyslogSink(
          { path: syslog.path, target: syslog.url, encode, sendTimeoutMs: SEND_TIMEOUT_MS },
          { connect: connectUnixDatagram, send: sendDatagram, sleep: (ms) => sleep(ms), monotonicMs },
        ),
      );
    } else if (syslog.transport === 'tcp') {
      out.push(
        new TcpSyslogSink(
          {
            ...syslog,
            target: syslog.url,
            encode,
            connectTimeoutMs: CONNECT_TIMEOUT_MS,
            sendTimeoutMs: SEND_TIMEOUT_MS,
          },
          {
            connect: (host, port) => connect({ host, port }),
            unacknowledged: (socket) => unacknowledgedBytes(socketFd(socket)),
            monotonicMs,
          },
        ),
      );
    } else {
      out.push(
        new UdpSyslogSink(
          { ...syslog, target: syslog.url, encode, connectTimeoutMs: CONNECT_TIMEOUT_MS },
          { createSocket: (host) => createSocket(isIPv6(host) ? 'udp6' : 'udp4') },
        ),
      );
    }
  }
  if (file) out.push(new JsonlFileSink(file));
  return out;
}
