/**
 * What a config.toml edit changes in a running daemon. Most of the config is read per request
 * (agents, credentials, jwt, mcp, audit retention) and applies at once; a few settings are bound
 * when the daemon starts — the socket server's limits, the secret store backend, the identity
 * provider (its login session), the attestor's hash bound, audit shipping (its worker) and the
 * policy from git (its clone and schedule) — and keep their running values until
 * `agentid daemon stop` and a start, which `status` and `doctor` name key by key. Pure.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Config } from './validate.js';

/** Config fields bound at start, with their TOML names. */
const RESTART_ONLY = {
  daemon: {
    maxConnections: 'daemon.max_connections',
    maxBodyBytes: 'daemon.max_body_bytes',
    maxHeaderBytes: 'daemon.max_header_bytes',
    headersTimeoutMs: 'daemon.headers_timeout_ms',
    requestTimeoutMs: 'daemon.request_timeout_ms',
    keepAliveTimeoutMs: 'daemon.keep_alive_timeout_ms',
  },
  secrets: { backend: 'secrets.backend' },
  attest: { maxHashBytes: 'attest.max_hash_bytes' },
} as const;

/** Applied at once: the tables a request reads. */
const LIVE = ['agents', 'credentials', 'jwt', 'mcp', 'audit'] as const;

export interface LiveChange {
  /** The running config with every change that can apply now applied. */
  config: Config;
  /** Tables whose change applied (`credentials`, ...). */
  applied: string[];
  /** TOML keys (or `idp`) that differ from what runs and wait for a restart. */
  restartNeeded: string[];
}

export function liveChange(running: Config, edited: Config): LiveChange {
  const restartNeeded: string[] = [];
  for (const [table, keys] of Object.entries(RESTART_ONLY) as [
    keyof typeof RESTART_ONLY,
    Record<string, string>,
  ][]) {
    for (const [field, name] of Object.entries(keys)) {
      const before = (running[table] as Record<string, unknown>)[field];
      const after = (edited[table] as Record<string, unknown>)[field];
      if (before !== after) restartNeeded.push(name);
    }
  }
  // Whole tables bound at start, named as their TOML tables.
  if (!isDeepStrictEqual(running.idp, edited.idp)) restartNeeded.push('idp');
  if (!isDeepStrictEqual(running.audit.ship, edited.audit.ship)) restartNeeded.push('audit.ship');
  if (!isDeepStrictEqual(running.policy, edited.policy)) restartNeeded.push('policy');
  const config: Config = {
    ...edited,
    daemon: running.daemon,
    secrets: running.secrets,
    attest: running.attest,
    idp: running.idp,
    audit: { ...edited.audit, ship: running.audit.ship },
    policy: running.policy,
  };
  return {
    config,
    applied: LIVE.filter((table) => !isDeepStrictEqual(running[table], config[table])),
    restartNeeded,
  };
}
