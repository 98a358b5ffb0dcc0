/**
 * Audit shipping in the daemon: starts the shipping worker thread (daemon/ship-worker.ts) when
 * `[audit.ship]` names a sink, keeps its latest status for `status` and `doctor`, hands its gap
 * reports to the daemon's audit log, and restarts it after a pause if it ever dies. Nothing here is
 * on the request path: the worker reads committed rows on its own connection.
 */
import type { Worker } from 'node:worker_threads';
import type { GapReport, ShipStatus } from '../src/audit/index.js';
import type { AuditShipConfig } from '../src/config/index.js';
import type { Logger } from './log.js';

export interface ShipWorkerData {
  auditDb: string;
  /** Where the cursor files live (the state dir's ship/, private). */
  shipDir: string;
  config: AuditShipConfig;
  origin: { hostname: string; procId: string; version: string };
}

export type ShipWorkerMessage =
  | { type: 'status'; sinks: ShipStatus[] }
  | { type: 'gap'; sink: ShipStatus['sink']; target: string; gap: GapReport }
  | { type: 'stopped' };

export interface AuditShipping {
  /** The latest snapshot of every sink; empty when nothing is shipped. */
  status(): ShipStatus[];
  stop(): Promise<void>;
}

export interface AuditShippingDeps {
  data: ShipWorkerData;
  /** Starts the worker thread (daemon/main.ts: `new Worker(ship-worker.js, {workerData})`). */
  spawn(data: ShipWorkerData): Worker;
  log: Logger;
  onGap(target: string, gap: GapReport): void;
  now(): Date;
  /** Runs fn after ms, unref'ed; returns the cancel. */
  later(ms: number, fn: () => void): () => void;
}

const RESTART_DELAY_MS = 5_000;
const STOP_TIMEOUT_MS = 3_000;

export function startAuditShipping(deps: AuditShippingDeps): AuditShipping {
  const { config } = deps.data;
  if (!config.syslog && !config.file) return { status: () => [], stop: async () => {} };
  let snapshot: ShipStatus[] = [];
  let worker: Worker | null = null;
  let stopping = false;
  let cancelRestart = () => {};

  const run = () => {
    const current = deps.spawn(deps.data);
    worker = current;
    let stopped = false;
    current.on('message', (message: ShipWorkerMessage) => {
      if (message.type === 'status') snapshot = message.sinks;
      else if (message.type === 'gap') deps.onGap(message.target, message.gap);
      else stopped = true;
    });
    current.on('error', (err) => deps.log.error(`audit shipping worker failed: ${err.message}`));
    current.on('exit', (code) => {
      if (worker === current) worker = null;
      if (stopping || stopped) return;
      const message = `the audit shipping worker exited (code ${code}); restarting it in ${RESTART_DELAY_MS / 1000} s`;
      deps.log.error(message);
      const at = deps.now().toISOString();
      snapshot = snapshot.map((s) => ({
        ...s,
        state: 'retrying',
        lastError: { code: 'ERR_INTERNAL', message, at },
      }));
      cancelRestart = deps.later(RESTART_DELAY_MS, run);
    });
  };
  run();

  return {
    status: () => snapshot,
    async stop() {
      stopping = true;
      cancelRestart();
      const current = worker;
      if (!current) return;
      const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
      const finished = new Promise<void>((resolve) =>
        current.on('message', (m: ShipWorkerMessage) => m.type === 'stopped' && resolve()),
      );
      current.postMessage({ type: 'stop' });
      // The worker saves its cursors before it says stopped; past the timeout it is cut off, and
      // the next start resends from the last saved cursor.
      let cancelTimeout = () => {};
      await Promise.race([
        finished,
        new Promise<void>((resolve) => (cancelTimeout = deps.later(STOP_TIMEOUT_MS, resolve))),
      ]);
      cancelTimeout();
      await current.terminate();
      await exited;
    },
  };
}
