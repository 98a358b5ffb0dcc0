/** Human-readable daemon status, shared by `agentid status` and `agentid daemon status`. */
import { printableLines } from '../src/printable.js';
import type { ConfigStatus, StatusResponse } from '../src/protocol/index.js';
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
  lines.push(...formatConfigStatus(status.config));
  lines.push(...formatShipStatus(status.auditShip ?? []));
  return printableLines(lines);
}

function formatConfigStatus(config: ConfigStatus): string[] {
  const file = config.sha256
    ? `${config.file} (sha256 ${config.sha256.slice(0, 12)}…)`
    : `none (${config.file} absent: defaults)`;
  const lines = [`  config:      ${file}, loaded ${config.loadedAt}`];
  if (config.lastError) {
    lines.push(
      `  config error (${config.lastError.at}, not applied; the config above stays): ${config.lastError.message}`,
    );
  }
  if (config.restartNeeded.length > 0) {
    lines.push(
      `  config:      changed, applied after a restart only (\`agentid daemon stop\`, then start): ${config.restartNeeded.join(', ')}`,
    );
  }
  return lines;
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
