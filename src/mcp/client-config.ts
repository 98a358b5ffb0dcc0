/**
 * The MCP client config entry that wraps a server in `agentid mcp`, for the clients' project
 * files: Claude Code `.mcp.json`, Cursor `.cursor/mcp.json`, VS Code `.vscode/mcp.json`. Pure:
 * `agentid setup mcp` prints the entry or merges it into the file, keeping every other server.
 */
import { AgentIdError } from '../errors.js';

export const MCP_CLIENTS = ['claude', 'cursor', 'vscode'] as const;
export type McpClient = (typeof MCP_CLIENTS)[number];

interface ClientFormat {
  /** Relative to the project directory. */
  file: string;
  /** The object that maps server names to entries. */
  key: 'mcpServers' | 'servers';
  /** Whether entries carry `"type": "stdio"`. */
  typed: boolean;
}

const FORMATS: Record<McpClient, ClientFormat> = {
  claude: { file: '.mcp.json', key: 'mcpServers', typed: true },
  cursor: { file: '.cursor/mcp.json', key: 'mcpServers', typed: false },
  vscode: { file: '.vscode/mcp.json', key: 'servers', typed: true },
};

export interface WrappedServer {
  name: string;
  /** How the client starts agentid: an absolute node and script, so PATH does not matter. */
  launcher: { command: string; args: string[] };
  /** `--env VAR=CRED` specs for the proxy. */
  env: string[];
  /** The real server's command and arguments. */
  server: string[];
}

export function clientFile(client: McpClient): string {
  return FORMATS[client].file;
}

export function clientEntry(client: McpClient, wrapped: WrappedServer): Record<string, unknown> {
  const args = [
    ...wrapped.launcher.args,
    'mcp',
    '--name',
    wrapped.name,
    ...wrapped.env.flatMap((spec) => ['--env', spec]),
    '--',
    ...wrapped.server,
  ];
  return { ...(FORMATS[client].typed ? { type: 'stdio' } : {}), command: wrapped.launcher.command, args };
}

/** The file's JSON with the entry set under its server name (other servers and keys kept). */
export function mergeClientConfig(
  client: McpClient,
  existing: string | null,
  wrapped: WrappedServer,
): { text: string; changed: boolean } {
  let doc: Record<string, unknown> = {};
  if (existing !== null && existing.trim() !== '') {
    try {
      doc = JSON.parse(existing) as Record<string, unknown>;
    } catch (err) {
      throw new AgentIdError(
        'ERR_USAGE',
        `${clientFile(client)} is not valid JSON (${(err as Error).message}); fix it or add the entry by hand (run without --write to print it)`,
      );
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
      throw new AgentIdError('ERR_USAGE', `${clientFile(client)} must hold a JSON object`);
  }
  const { key } = FORMATS[client];
  const servers = (typeof doc[key] === 'object' && doc[key] !== null ? doc[key] : {}) as Record<
    string,
    unknown
  >;
  const entry = clientEntry(client, wrapped);
  const changed = JSON.stringify(servers[wrapped.name]) !== JSON.stringify(entry);
  const text = `${JSON.stringify({ ...doc, [key]: { ...servers, [wrapped.name]: entry } }, null, 2)}\n`;
  return { text, changed };
}
