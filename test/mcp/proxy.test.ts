/**
 * The relay in process, on fake channels and a fake daemon (our own seams; the real client,
 * server and daemon are in test/e2e/mcp.test.ts): what it does is chosen by a failure's kind or
 * code, never by its message text.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { AgentIdError } from '../../src/errors.js';
import type { Channel } from '../../src/mcp/channel.js';
import { FrameError } from '../../src/mcp/framing.js';
import { startProxy } from '../../src/mcp/proxy.js';
import { type DaemonCaller, endpoints, type McpStartResponse } from '../../src/protocol/index.js';

interface FakeChannel extends Channel {
  sent: JSONRPCMessage[];
}

function fakeChannel(): FakeChannel {
  const channel: FakeChannel = {
    sent: [],
    async start() {},
    async send(message) {
      channel.sent.push(message);
    },
    async close() {},
  };
  return channel;
}

const settings: McpStartResponse = {
  hideDenied: true,
  auditArguments: false,
  maxMessageBytes: 65_536,
  credentials: [],
};
const call = (id: number, name: string) => ({
  jsonrpc: '2.0' as const,
  id,
  method: 'tools/call',
  params: { name, arguments: {} },
});
/** Lets the relay's queues run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

async function setUp(decide: (name: string) => Promise<'allow' | 'deny'>) {
  const client = fakeChannel();
  const server = fakeChannel();
  const results: { name: string; status?: string }[] = [];
  const warnings: string[] = [];
  const daemon: DaemonCaller = {
    // One fake for every endpoint of the table: the bodies it reads are the MCP ones.
    call: (async (endpoint: unknown, body: { name: string; status?: string }) => {
      if (endpoint === endpoints.mcpDecide) {
        const decision = await decide(body.name);
        return { decision, reason: `${decision} ${body.name}`, policyIds: ['p'], eventId: 'e1' };
      }
      if (endpoint === endpoints.mcpResult) {
        results.push({ name: body.name, status: body.status });
        return { seq: 1 };
      }
      throw new Error('no such endpoint in this test');
    }) as unknown as DaemonCaller['call'],
  };
  const proxy = await startProxy({
    server: 'fake',
    client,
    createServer: () => server,
    serverEnv: async () => ({ env: {}, expiresAt: null }),
    daemon,
    settings,
    base: { cwd: '/', home: '/' },
    nowMs: () => 0,
    sleep: async () => {},
    warn: (line) => warnings.push(line),
  });
  const fromClient = async (message: JSONRPCMessage) => {
    client.onmessage?.(message);
    await settle();
  };
  return { proxy, client, server, results, warnings, fromClient };
}

describe('startProxy', () => {
  it('answers a denied call itself, fails closed without a decision, and forwards an allowed one', async () => {
    const relay = await setUp(async (name) => {
      if (name === 'down') throw new AgentIdError('ERR_DAEMON_UNAVAILABLE', 'the daemon is not running');
      return name === 'rm' ? 'deny' : 'allow';
    });
    await relay.fromClient(call(1, 'rm'));
    await relay.fromClient(call(2, 'down'));
    await relay.fromClient(call(3, 'ls'));
    expect(relay.server.sent).toEqual([call(3, 'ls')]);
    expect(relay.client.sent).toMatchObject([
      { id: 1, error: { code: -32003, data: { code: 'ERR_POLICY_DENIED', policyIds: ['p'] } } },
      { id: 2, error: { code: -32603, data: { code: 'ERR_DAEMON_UNAVAILABLE' } } },
    ]);
  });

  it.each([
    ['too-large', 'ERR_MCP_MESSAGE_TOO_LARGE'],
    ['not-json', 'ERR_MCP_PROTOCOL'],
    ['not-jsonrpc', 'ERR_MCP_PROTOCOL'],
  ] as const)(
    'fails the pending call on a %s frame from the server, reports it, and exits 1',
    async (kind, code) => {
      const relay = await setUp(async () => 'allow');
      await relay.fromClient(call(1, 'ls'));
      relay.server.onerror?.(new FrameError(kind, 'whatever the text'));
      expect(await relay.proxy.done).toBe(1);
      expect(relay.client.sent).toMatchObject([{ id: 1, error: { code: -32603, data: { code } } }]);
      expect(relay.results).toEqual([{ name: 'ls', status: 'error' }]);
    },
  );

  it('only warns of a server error that is no frame, whatever its text says', async () => {
    const relay = await setUp(async () => 'allow');
    await relay.fromClient(call(1, 'ls'));
    // The text the SDK's reader used for an oversized line: no longer a reason to stop.
    relay.server.onerror?.(new Error('ReadBuffer exceeded maximum size of 65536 bytes'));
    relay.server.onmessage?.({ jsonrpc: '2.0', id: 1, result: { content: [] } });
    await settle();
    expect(relay.client.sent).toEqual([{ jsonrpc: '2.0', id: 1, result: { content: [] } }]);
    expect(relay.warnings).toEqual(['MCP server fake: ReadBuffer exceeded maximum size of 65536 bytes']);
    expect(relay.results).toEqual([{ name: 'ls', status: 'ok' }]);
  });

  it('answers a client frame that is not JSON or not JSON-RPC with id null and goes on', async () => {
    const relay = await setUp(async () => 'allow');
    relay.client.onerror?.(new FrameError('not-json', 'Unexpected token'));
    relay.client.onerror?.(new FrameError('not-jsonrpc', 'anything'));
    await relay.fromClient(call(1, 'ls'));
    expect(relay.client.sent).toMatchObject([
      { id: null, error: { code: -32700, message: expect.stringContaining('ERR_MCP_PROTOCOL') } },
      { id: null, error: { code: -32600, message: expect.stringContaining('ERR_MCP_PROTOCOL') } },
    ]);
    expect(relay.server.sent).toEqual([call(1, 'ls')]);
  });

  it('refuses an oversized client frame with id null, fails what is pending, and exits 1', async () => {
    const relay = await setUp(async () => 'allow');
    await relay.fromClient(call(1, 'ls'));
    relay.client.onerror?.(new FrameError('too-large', 'a message is over 65536 bytes'));
    expect(await relay.proxy.done).toBe(1);
    expect(relay.client.sent).toMatchObject([
      { id: null, error: { code: -32600 } },
      { id: 1, error: { code: -32603, data: { code: 'ERR_MCP_MESSAGE_TOO_LARGE' } } },
    ]);
  });

  it('fails the pending call with ERR_MCP_SERVER_EXITED when the server exits, and exits 1', async () => {
    const relay = await setUp(async () => 'allow');
    await relay.fromClient(call(1, 'ls'));
    relay.server.onclose?.();
    expect(await relay.proxy.done).toBe(1);
    expect(relay.client.sent).toMatchObject([{ id: 1, error: { data: { code: 'ERR_MCP_SERVER_EXITED' } } }]);
  });
});
