/**
 * `[mcp]`: how `agentid mcp` governs MCP servers. Kept apart from validate.ts so the MCP rules
 * live in one place; the defaults favour privacy (arguments are digested, not stored) and least
 * surprise for agents (a tool they may not call is not offered).
 */
import { AgentIdError } from '../errors.js';

export interface McpConfig {
  /** tools/list, prompts/list and resources/list leave out what policy denies (else: marked denied). */
  hideDenied: boolean;
  /** Audit rows carry the full call arguments (bounded), not only their sha256. */
  auditArguments: boolean;
  /** A JSON-RPC message larger than this (either direction) is refused and the proxy stops. */
  maxMessageBytes: number;
}

const MiB = 1024 * 1024;

export function defaultMcpConfig(): McpConfig {
  return { hideDenied: true, auditArguments: false, maxMessageBytes: 4 * MiB };
}

export function parseMcpConfig(table: Record<string, unknown>, source: string): McpConfig {
  const fail = (message: string): never => {
    throw new AgentIdError('ERR_CONFIG_INVALID', `${source}: [mcp] ${message}`);
  };
  const config = defaultMcpConfig();
  for (const [key, value] of Object.entries(table)) {
    switch (key) {
      case 'hide_denied':
      case 'audit_arguments':
        if (typeof value !== 'boolean') fail(`${key} must be true or false`);
        config[key === 'hide_denied' ? 'hideDenied' : 'auditArguments'] = value as boolean;
        break;
      case 'max_message_bytes':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 64 * 1024 || value > 256 * MiB)
          fail(`max_message_bytes must be an integer between ${64 * 1024} and ${256 * MiB}`);
        config.maxMessageBytes = value as number;
        break;
      default:
        fail(`unknown key "${key}"`);
    }
  }
  return config;
}
