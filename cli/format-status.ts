/** Human-readable daemon status, shared by `agentid status` and `agentid daemon status`. */
import { printableLines } from '../src/printable.js';
import type { StatusResponse } from '../src/protocol/index.js';
import { formatLogin } from './format-login.js';
import { formatPolicyStatus } from './format-policy.js';
import { formatShipStatus } from './format-ship.js';

export function formatStatus(status: StatusResponse): string {
  const lines = [
    `agentid daemon ${status.version} running (pid ${status.pid}, up ${formatDuration(status.uptimeMs)})`,
    `  socket:      ${status.socket}`,
    `  audit log:   ${status.auditDb}`,
    `  secrets:     ${status.secrets.backend}${status.secrets.warning ? ` (warning: ${status.secrets.warning})` : ''}`,
    `  signing key: ${status.signingKey}`,
    `  connections: ${status.connections}`,
  ];
  if (status.login) lines.push(`  human:       ${formatLogin(status.login)}`);
  lines.push(...formatPolicyStatus(status.policy, status.policyGit ?? null));
  lines.push(...formatShipStatus(status.auditShip ?? []));
  return printableLines(lines);
}

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${m % 60}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}
