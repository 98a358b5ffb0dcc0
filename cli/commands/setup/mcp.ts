/**
 * `agentid setup mcp --client claude|cursor|vscode --server NAME -- CMD ARGS`: the client config
 * entry that launches the server through `agentid mcp`, printed, or merged into the client's
 * project file with --write (other servers kept). The entry names agentid by absolute path, as
 * every setup does (cli/setup/helper-command.ts), so the client's PATH does not matter.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AgentIdError } from '../../../src/errors.js';
// The pure modules, not src/mcp/index.js: that door also opens the MCP SDK, which only the proxy needs.
import {
  clientEntry,
  clientFile,
  MCP_CLIENTS,
  type McpClient,
  mergeClientConfig,
  type WrappedServer,
} from '../../../src/mcp/client-config.js';
import { parseMcpEnvSpecs } from '../../../src/mcp/credentials.js';
import { type CommandSpec, jsonOption, printJson } from '../../command.js';
import { mcpLauncher } from '../../setup/helper-command.js';

const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const setupMcp: CommandSpec = {
  path: ['setup', 'mcp'],
  summary: "wrap an MCP server in `agentid mcp` in a client's config (Claude Code, Cursor, VS Code)",
  arguments: [{ name: '<command...>', description: 'the MCP server command, after --' }],
  options: [
    { flags: '--client <client>', description: `the MCP client: ${MCP_CLIENTS.join(', ')}` },
    { flags: '--server <name>', description: 'the server name, as clients list it and policies name it' },
    { flags: '--env <VAR=CRED[:AUDIENCE]...>', description: "credentials for the server's environment" },
    { flags: '--write', description: "merge the entry into the client's project file in this directory" },
    jsonOption,
  ],
  examples: [
    'agentid setup mcp --client claude --server fs -- npx -y @modelcontextprotocol/server-filesystem .',
    'agentid setup mcp --client vscode --server api --env API_TOKEN=identity:api.internal --write -- ./api-server',
  ],
  passThrough: true,
  async run({ opts, args }, deps) {
    const client = opts.client as McpClient;
    if (!MCP_CLIENTS.includes(client))
      throw new AgentIdError('ERR_USAGE', `--client must be one of ${MCP_CLIENTS.join(', ')}`);
    const name = typeof opts.server === 'string' ? opts.server : '';
    if (!SERVER_NAME.test(name))
      throw new AgentIdError('ERR_USAGE', `--server NAME is required (${SERVER_NAME.source})`);
    if (args.length === 0) throw new AgentIdError('ERR_USAGE', 'no server command given after --');
    const env = parseMcpEnvSpecs(opts.env).map(
      (s) => `${s.variable}=${s.credential}${s.audience ? `:${s.audience}` : ''}`,
    );
    const wrapped: WrappedServer = {
      name,
      launcher: mcpLauncher(deps.agentid),
      env,
      server: args,
    };
    const file = join(deps.cwd, clientFile(client));
    if (opts.write !== true) {
      const entry = clientEntry(client, wrapped);
      if (opts.json === true) printJson(deps, { client, file, name, entry });
      else
        deps.out(
          `# ${clientFile(client)}: add under "${client === 'vscode' ? 'servers' : 'mcpServers'}"\n${JSON.stringify({ [name]: entry }, null, 2)}\n`,
        );
      return 0;
    }
    const merged = mergeClientConfig(client, existsSync(file) ? readFileSync(file, 'utf8') : null, wrapped);
    if (merged.changed) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, merged.text);
    }
    if (opts.json === true) printJson(deps, { client, file, name, changed: merged.changed });
    else
      deps.out(
        merged.changed ? `${file}: ${name} now runs through agentid mcp\n` : `${file}: already set up\n`,
      );
    return 0;
  },
};
