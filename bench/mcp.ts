/**
 * The MCP proxy benchmark: what `agentid mcp` adds to one tools/call. A real MCP client (the
 * SDK's) calls read_text_file on the real @modelcontextprotocol/server-filesystem, once directly
 * and once through the built proxy (policy decision and audit row per call, over the daemon's
 * socket), CALLS times each, interleaved call by call so both see the same machine. The result
 * rows (written after the answer) are part of the load the daemon carries meanwhile.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { spawnChild, waitForAnswer } from './children.js';
import { fmtMs, mark } from './format.js';

export const TARGET_ADDED_MS = 2;

export interface McpBenchOptions {
  workDir: string;
  repoRoot: string;
  nodePath: string;
  env: NodeJS.ProcessEnv;
  calls: number;
  warmup: number;
  startTimeoutMs: number;
  now: () => number;
  progress: (message: string) => void;
}

export interface McpBenchResult {
  calls: number;
  medianMs: { direct: number; proxied: number };
  p99Ms: { direct: number; proxied: number };
}

export async function benchMcp(o: McpBenchOptions): Promise<McpBenchResult> {
  const home = join(o.workDir, 'mcp-home');
  const files = join(o.workDir, 'mcp-files');
  mkdirSync(join(home, 'policy'), { recursive: true });
  mkdirSync(files, { recursive: true });
  writeFileSync(join(files, 'a.txt'), 'hello\n');
  writeFileSync(
    join(home, 'policy', 'mcp.cedar'),
    'permit (principal, action == Action::"mcp", resource == Tool::"fs/read_text_file");\n',
  );
  const env = Object.fromEntries(
    Object.entries({ ...o.env, AGENTID_HOME: home }).filter(
      (e): e is [string, string] => typeof e[1] === 'string',
    ),
  );
  const cli = join(o.repoRoot, 'dist', 'cli', 'main.js');
  const daemon = spawnChild({ execPath: o.nodePath, args: [cli, 'daemon', 'run'], env });
  const clients: Client[] = [];
  try {
    await waitForAnswer(daemon, join(home, 'run', 'agentid.sock'), '/v1/status', o.startTimeoutMs, o.now);
    const server = [join(o.repoRoot, 'node_modules', '.bin', 'mcp-server-filesystem'), files];
    const connect = async (command: string, args: string[]) => {
      const client = new Client({ name: 'agentid-bench', version: '1.0.0' });
      await client.connect(new StdioClientTransport({ command, args, env, stderr: 'ignore' }));
      clients.push(client);
      return client;
    };
    const direct = await connect(server[0] as string, server.slice(1));
    const proxied = await connect(o.nodePath, [cli, 'mcp', '--name', 'fs', '--', ...server]);
    const call = async (client: Client) => {
      const started = o.now();
      const result = await client.callTool({
        name: 'read_text_file',
        arguments: { path: join(files, 'a.txt') },
      });
      if (result.isError) throw new Error(`read_text_file failed: ${JSON.stringify(result.content)}`);
      return o.now() - started;
    };
    o.progress(
      `mcp: ${o.warmup} warm-up and ${o.calls} measured tools/call each, direct and through agentid mcp`,
    );
    for (let i = 0; i < o.warmup; i++) {
      await call(direct);
      await call(proxied);
    }
    const times = { direct: [] as number[], proxied: [] as number[] };
    for (let i = 0; i < o.calls; i++) {
      times.direct.push(await call(direct));
      times.proxied.push(await call(proxied));
    }
    return {
      calls: o.calls,
      medianMs: { direct: quantile(times.direct, 0.5), proxied: quantile(times.proxied, 0.5) },
      p99Ms: { direct: quantile(times.direct, 0.99), proxied: quantile(times.proxied, 0.99) },
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await daemon.stop();
  }
}

export function renderMcpBench(r: McpBenchResult): string[] {
  const added = r.medianMs.proxied - r.medianMs.direct;
  return [
    '## MCP proxy',
    '',
    `A real MCP client (the SDK's, over stdio) calls \`read_text_file\` on @modelcontextprotocol/server-filesystem directly and through \`agentid mcp\` (each call decided by policy over the daemon's socket and audited), ${r.calls.toLocaleString('en-US')} calls each, interleaved.`,
    '',
    '| tools/call | median ms | p99 ms | Target |',
    '|---|--:|--:|---|',
    `| direct | ${fmtMs(r.medianMs.direct)} | ${fmtMs(r.p99Ms.direct)} |  |`,
    `| through agentid mcp | ${fmtMs(r.medianMs.proxied)} | ${fmtMs(r.p99Ms.proxied)} |  |`,
    `| added by the proxy | ${fmtMs(added)} |  | ${mark(added < TARGET_ADDED_MS)} < ${TARGET_ADDED_MS} ms added |`,
  ];
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}
