/**
 * `agentid mcp [--name NAME] [--env VAR=CRED ...] -- SERVER_CMD ARGS...`: the stdio MCP proxy an
 * agent's MCP config launches instead of the server. Being the agent's child, every call it asks
 * the daemon about is attested as that agent, for its human. The relay itself is src/mcp/proxy.ts;
 * this file wires it to our stdio, the daemon and the server process.
 */
import { basename } from 'node:path';
import { AgentIdError } from '../../src/errors.js';
import {
  fetchServerEnv,
  parseMcpEnvSpecs,
  serverChannel,
  startProxy,
  streamChannel,
} from '../../src/mcp/index.js';
import { printable } from '../../src/printable.js';
import { endpoints, type McpStartRequest } from '../../src/protocol/index.js';
import type { CommandSpec } from '../command.js';

const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const mcp: CommandSpec = {
  path: ['mcp'],
  summary: 'run an MCP server behind agentid: every tool call policy-checked and audited',
  arguments: [{ name: '<command...>', description: 'the MCP server command, after --' }],
  options: [
    {
      flags: '--name <name>',
      description: 'the server name policies use: Tool::"<name>/<tool>" (default: the command name)',
    },
    {
      flags: '--env <VAR=CRED[:AUDIENCE]...>',
      description:
        "a short-lived credential in the server's environment (static, aws as VAR_ prefix, jwt with :AUDIENCE)",
    },
  ],
  examples: [
    'agentid mcp --name fs -- npx -y @modelcontextprotocol/server-filesystem ~/src/app',
    'agentid mcp --name api --env API_TOKEN=identity:api.internal -- ./api-mcp-server',
    'agentid mcp --name cloud --env AWS=dev -- uvx awslabs.aws-api-mcp-server',
  ],
  passThrough: true,
  async run({ opts, args }, deps) {
    const [command, ...commandArgs] = args;
    if (!command)
      throw new AgentIdError(
        'ERR_USAGE',
        'no server command given: agentid mcp [--name NAME] -- CMD ARGS...',
      );
    const server = typeof opts.name === 'string' ? opts.name : basename(command).replace(/\.[^.]*$/, '');
    if (!SERVER_NAME.test(server))
      throw new AgentIdError(
        'ERR_USAGE',
        `--name must match ${SERVER_NAME.source}; got ${JSON.stringify(server)}`,
      );
    const envSpecs = parseMcpEnvSpecs(opts.env);
    const start: McpStartRequest = {
      server,
      program: basename(command),
      credentials: [...new Set(envSpecs.map((s) => s.credential))],
    };
    // Every tools/call asks the daemon twice (decision, result): on kept connections, not new ones.
    const daemon = deps.daemon.keepAlive();
    try {
      const settings = await daemon.call(endpoints.mcpStart, start);
      const inherited = Object.fromEntries(
        Object.entries(deps.env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
      const { stdin, stdout } = deps.terminal;
      const proxy = await startProxy({
        server,
        client: streamChannel(stdin, stdout, settings.maxMessageBytes),
        createServer: (env) =>
          serverChannel({
            command,
            args: commandArgs,
            // The server sees what we see (the MCP client chose it), plus its credentials.
            env: { ...inherited, ...env },
            maxBytes: settings.maxMessageBytes,
          }),
        serverEnv: () => fetchServerEnv(daemon, envSpecs, settings.credentials),
        daemon,
        settings,
        base: { cwd: deps.cwd, home: deps.env.HOME ?? deps.cwd },
        nowMs: () => deps.now().getTime(),
        // Deadlines (a restarted server's handshake) must not hold the process open after it is done.
        sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()),
        warn: (line) => deps.err(`agentid mcp: ${printable(line)}\n`),
      });
      stdin.once('end', () => proxy.endOfInput());
      return await proxy.done;
    } finally {
      daemon.close();
    }
  },
};
