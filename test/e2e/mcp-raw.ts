/**
 * `agentid mcp` on raw pipes, to send what no well-behaved MCP client would: the proxy runs as
 * `agentid mcp --name bad -- SERVER...` in `home`, lines go in, parsed answers come out.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { cliPath, type Home } from './harness.js';

/** A stdio MCP server that breaks the rules on request (see the fixture's header). */
export const misbehavingServer = resolve('test/fixtures/mcp-misbehaving-server.mjs');

/** The proxy on raw pipes, to send what no well-behaved client would. */
export function rawProxy(home: Home, server: string[], proxyArgs: string[] = []) {
  const child = spawn(process.execPath, [cliPath, 'mcp', '--name', 'bad', ...proxyArgs, '--', ...server], {
    env: home.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // The proxy may stop reading before a 10 MB write is through: that is the point.
  child.stdin.on('error', () => {});
  const lines: Record<string, unknown>[] = [];
  let waiter: (() => void) | null = null;
  createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
    lines.push(JSON.parse(line) as Record<string, unknown>);
    waiter?.();
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    send: (text: string) => child.stdin.write(`${text}\n`),
    end: () => child.stdin.end(),
    stderr: () => stderr,
    /** The first answer with this id; fails the test after 10 s rather than hang. */
    answer: async (id: unknown) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const found = lines.find((l) => JSON.stringify(l.id) === JSON.stringify(id));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no answer with id ${String(id)}: ${stderr}`);
        await new Promise<void>((r) => {
          waiter = r;
          setTimeout(r, 100);
        });
      }
    },
    exit: () =>
      Promise.race([
        exited,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit: ${stderr}`)), 10_000)),
      ]),
  };
}

export type RawProxy = ReturnType<typeof rawProxy>;

/** The client's side of the MCP handshake. */
export function initialize(proxy: RawProxy): void {
  proxy.send(
    JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'raw', version: '1' },
      },
    }),
  );
  proxy.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
}

export const call = (id: number, name: string, args: Record<string, unknown> = {}) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
