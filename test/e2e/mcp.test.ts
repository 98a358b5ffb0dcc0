/**
 * `agentid mcp` end to end: a real MCP client (the SDK's Client over stdio) talks through the
 * built proxy, run under `agentid exec --agent demo`, to a real server nobody here wrote
 * (@modelcontextprotocol/server-filesystem on a temp dir), with Cedar policies in the home. Then
 * the failure modes, over raw pipes: malformed JSON-RPC from either side, a server that dies
 * mid-call, and 10 MB messages each get a JSON-RPC error and a clean exit, never a hang.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath, type Daemon, type Home, makeHome, runCli, startDaemon } from './harness.js';
import { call, initialize, misbehavingServer, rawProxy } from './mcp-raw.js';

const filesystemServer = resolve('node_modules/.bin/mcp-server-filesystem');

// A list decision has no arguments (mcpMethod is tools/list): the permit offers read_text_file
// there, and checks the path on every call.
const fsPolicy = `@id("demo-reads")
permit (principal == Agent::"demo", action == Action::"mcp", resource == Tool::"fs/read_text_file")
when {
  context.request.mcpMethod == "tools/list" ||
  (context.request has mcpPath && context.request.mcpPath like "__DIR__/*")
};
@id("no-writes")
forbid (principal, action == Action::"mcp", resource == Tool::"fs/write_file");
`;
const anyBadTool =
  'permit (principal, action == Action::"mcp", resource) when { resource.server == "bad" };\n';

interface Row {
  action: string;
  decision: string;
  agent: string;
  human: string | null;
  resource: string | null;
  reason: string | null;
  policyIds: string[];
}

describe('agentid mcp', () => {
  let home: Home;
  let daemon: Daemon | undefined;
  let dir: string;
  const children: ChildProcess[] = [];

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    await daemon?.stop();
    daemon = undefined;
    home.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const setUp = async (policy: string, config?: string) => {
    home = makeHome(config);
    dir = mkdtempSync(join(tmpdir(), 'agentid-mcp-fs-'));
    mkdirSync(join(home.dir, 'policy'));
    writeFileSync(join(home.dir, 'policy', 'mcp.cedar'), policy.replaceAll('__DIR__', dir));
    daemon = await startDaemon(home);
  };
  const audit = async () => {
    const out = await runCli(home, ['audit', '--json', '--limit', '1000']);
    expect(out.code).toBe(0);
    return out.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Row);
  };
  const connect = async () => {
    const env = Object.fromEntries(
      Object.entries(home.env).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        cliPath,
        'exec',
        '--agent',
        'demo',
        '--',
        process.execPath,
        cliPath,
        'mcp',
        '--name',
        'fs',
        '--',
      ],
      env,
      stderr: 'pipe',
    });
    // The server's own arguments go after the proxy's `--`.
    (transport as unknown as { _serverParams: { args: string[] } })._serverParams.args.push(
      filesystemServer,
      dir,
    );
    const client = new Client({ name: 'agentid-e2e', version: '1.0.0' });
    await client.connect(transport);
    return client;
  };

  it('relays an allowed read_file, refuses write_file before the server, hides it, audits each call', async () => {
    await setUp(fsPolicy);
    writeFileSync(join(dir, 'notes.txt'), 'original\n');
    const client = await connect();
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toContain('read_text_file');
      expect(tools).not.toContain('write_file');
      expect(tools).not.toContain('move_file');

      const read = await client.callTool({
        name: 'read_text_file',
        arguments: { path: join(dir, 'notes.txt') },
      });
      expect(read.content).toEqual([{ type: 'text', text: 'original\n' }]);

      const write = client.callTool({
        name: 'write_file',
        arguments: { path: join(dir, 'notes.txt'), content: 'pwned' },
      });
      await expect(write).rejects.toThrow(McpError);
      await expect(write).rejects.toMatchObject({
        code: -32003,
        message: expect.stringContaining('no-writes'),
      });
      expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('original\n');

      // The permit needs the path under the dir: ../ does not get out of it.
      const outside = client.callTool({
        name: 'read_text_file',
        arguments: { path: `${dir}/../../etc/hostname` },
      });
      await expect(outside).rejects.toMatchObject({ code: -32003 });
    } finally {
      await client.close();
    }

    const rows = (await audit()).filter((r) => r.action.startsWith('mcp'));
    const calls = rows.filter((r) => r.action === 'mcp');
    expect(calls.map((r) => [r.resource, r.decision])).toEqual([
      ['Tool::"fs/read_text_file"', 'allow'],
      ['Tool::"fs/write_file"', 'deny'],
      ['Tool::"fs/read_text_file"', 'deny'],
    ]);
    for (const row of calls) {
      expect(row.agent).toBe('demo');
      expect(row.human).toMatch(/^local:/);
      expect(row.reason).toMatch(/^tools\/call args=sha256:[0-9a-f]{64} path=\//);
    }
    expect(calls[0]?.policyIds).toEqual(['mcp.cedar:demo-reads']);
    expect(calls[1]?.policyIds).toEqual(['mcp.cedar:no-writes']);
    expect(calls[2]?.reason).toContain('path=/etc/hostname');
    // The content of the write is in no row: only its digest.
    expect(JSON.stringify(rows)).not.toContain('pwned');
    const results = rows.filter((r) => r.action === 'mcp.result');
    expect(results.map((r) => [r.resource, r.decision])).toEqual([['Tool::"fs/read_text_file"', 'allow']]);
    expect(rows.filter((r) => r.action === 'mcp.list')).toHaveLength(1);
    expect(rows.find((r) => r.action === 'mcp.start')?.agent).toBe('demo');
  });

  it('shows denied tools marked as denied with hide_denied = false; audit_arguments keeps them', async () => {
    await setUp(fsPolicy, '[mcp]\nhide_denied = false\naudit_arguments = true\n');
    writeFileSync(join(dir, 'notes.txt'), 'original\n');
    const client = await connect();
    try {
      const tools = (await client.listTools()).tools;
      expect(tools.find((t) => t.name === 'write_file')?.description).toMatch(
        /^\[denied by agentid policy\]/,
      );
      expect(tools.find((t) => t.name === 'read_text_file')?.description).not.toMatch(/denied/);
      await expect(
        client.callTool({
          name: 'write_file',
          arguments: { path: join(dir, 'notes.txt'), content: 'pwned' },
        }),
      ).rejects.toMatchObject({ code: -32003 });
    } finally {
      await client.close();
    }
    const denied = (await audit()).find((r) => r.action === 'mcp' && r.decision === 'deny');
    expect(denied?.reason).toContain('arguments={"content":"pwned"');
  });

  describe('failure modes', () => {
    it('answers malformed client input with a JSON-RPC error and keeps relaying; exits 0 at end of input', async () => {
      await setUp(anyBadTool);
      const proxy = rawProxy(home, [process.execPath, misbehavingServer]);
      children.push(proxy.child);
      initialize(proxy);
      proxy.send('this is not json');
      proxy.send('{"jsonrpc":"1.0","id":5,"method":"tools/call"}');
      proxy.send(JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: {} }));
      proxy.send(call(7, 'echo', { a: 1 }));
      expect(await proxy.answer(7)).toMatchObject({ result: { content: [{ text: '{"a":1}' }] } });
      expect(await proxy.answer(6)).toMatchObject({ error: { code: -32602 } });
      expect(await proxy.answer(null)).toMatchObject({ error: { code: -32700 } });
      proxy.end();
      expect(await proxy.exit()).toBe(0);
    });

    it('fails the pending call when the server writes garbage, and exits 1', async () => {
      await setUp(anyBadTool);
      const proxy = rawProxy(home, [process.execPath, misbehavingServer]);
      children.push(proxy.child);
      initialize(proxy);
      proxy.send(call(1, 'garbage'));
      expect(await proxy.answer(1)).toMatchObject({
        error: { code: -32603, data: { code: 'ERR_MCP_PROTOCOL' } },
      });
      expect(await proxy.exit()).toBe(1);
    });

    it('fails the pending call when the server dies mid-call, and exits 1', async () => {
      await setUp(anyBadTool);
      const proxy = rawProxy(home, [process.execPath, misbehavingServer]);
      children.push(proxy.child);
      initialize(proxy);
      proxy.send(call(1, 'die'));
      expect(await proxy.answer(1)).toMatchObject({
        error: { code: -32603, data: { code: 'ERR_MCP_SERVER_EXITED' } },
      });
      expect(await proxy.exit()).toBe(1);
      const results = (await audit()).filter((r) => r.action === 'mcp.result');
      expect(results.map((r) => r.decision)).toEqual(['error']);
    });

    it('refuses a 10 MB answer from the server with a JSON-RPC error, and exits 1', async () => {
      await setUp(anyBadTool);
      const proxy = rawProxy(home, [process.execPath, misbehavingServer]);
      children.push(proxy.child);
      initialize(proxy);
      proxy.send(call(1, 'big'));
      expect(await proxy.answer(1)).toMatchObject({
        error: { code: -32603, data: { code: 'ERR_MCP_MESSAGE_TOO_LARGE' } },
      });
      expect(await proxy.exit()).toBe(1);
    });

    it('refuses a 10 MB message from the client with a JSON-RPC error, and exits 1', async () => {
      await setUp(anyBadTool);
      const proxy = rawProxy(home, [process.execPath, misbehavingServer]);
      children.push(proxy.child);
      initialize(proxy);
      expect(await proxy.answer(0)).toHaveProperty('result');
      proxy.send(call(1, 'echo', { blob: 'x'.repeat(10_000_000) }));
      expect(await proxy.answer(null)).toMatchObject({ error: { code: -32600 } });
      expect(await proxy.exit()).toBe(1);
      // Nothing of it reached policy or the server.
      expect((await audit()).filter((r) => r.action === 'mcp')).toEqual([]);
    });

    // Renewal is decided by the clock (a credential within 60 s of its expiry is renewed before
    // the next request), so each test picks a lifetime whose answer does not depend on how long
    // the machine takes: one far from renewal, and one inside the renewal window from the start.
    // (A 61 s token, fresh for exactly one second, made the restart count depend on load.)
    const serverEnv = async (ttlSeconds: number) => {
      await setUp(
        `${anyBadTool}permit (principal, action == Action::"jwt", resource == Credential::"short");\n`,
        `[credentials.short]\ntype = "jwt"\nttl_seconds = ${ttlSeconds}\n`,
      );
      const proxy = rawProxy(
        home,
        [process.execPath, misbehavingServer],
        ['--env', 'API_TOKEN=short:api.test'],
      );
      children.push(proxy.child);
      initialize(proxy);
      const env = async (id: number) => {
        proxy.send(call(id, 'env', { name: 'API_TOKEN' }));
        const answer = (await proxy.answer(id)) as { result: { content: { text: string }[] } };
        return JSON.parse(answer.result.content[0]?.text ?? '') as { pid: number; value: string | null };
      };
      const [first, second] = [await env(1), await env(2)];
      proxy.end();
      expect(await proxy.exit()).toBe(0);
      const rows = await audit();
      const issued = rows.filter((r) => r.action === 'jwt' && r.resource === 'short').map((r) => r.decision);
      // The token is in no row and in no argv.
      expect(JSON.stringify(rows)).not.toContain(first.value);
      return { first, second, issued };
    };

    it('gives the server a short-lived credential and keeps the server while it is fresh', async () => {
      const { first, second, issued } = await serverEnv(900);
      expect(first.value).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(second).toEqual(first);
      expect(issued).toEqual(['allow']);
    });

    it('restarts the server with a fresh credential before each request once it is within a minute of expiry', async () => {
      const { first, second, issued } = await serverEnv(30);
      expect(first.value).toMatch(/^eyJ/);
      expect(second.value).toMatch(/^eyJ/);
      expect(second.value).not.toBe(first.value);
      expect(second.pid).not.toBe(first.pid);
      // One at launch, then one per request the proxy relayed: initialize and the two calls.
      expect(issued).toEqual(['allow', 'allow', 'allow', 'allow']);
    });
  });
});
