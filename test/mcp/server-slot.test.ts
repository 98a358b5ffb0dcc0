/**
 * The server slot on fake channels (our own seam; the real server process is in
 * test/e2e/mcp.test.ts): launched on fetched credentials, stale inside the renewal margin,
 * replaced with the client's handshake replayed, and every failure to start coded.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { AgentIdError } from '../../src/errors.js';
import type { Channel } from '../../src/mcp/channel.js';
import { ServerSlot, type SlotDeps } from '../../src/mcp/server-slot.js';

const initialize = {
  jsonrpc: '2.0' as const,
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
};
const initialized = { jsonrpc: '2.0' as const, method: 'notifications/initialized' };

interface FakeServer extends Channel {
  env: Record<string, string>;
  sent: JSONRPCMessage[];
  closed: boolean;
}

/** A server that answers every initialize it is sent, unless told to stay silent. */
function fakeServer(env: Record<string, string>, opts: { silent?: boolean; startError?: Error } = {}) {
  const server: FakeServer = {
    env,
    sent: [],
    closed: false,
    async start() {
      if (opts.startError) throw opts.startError;
    },
    async send(message) {
      server.sent.push(message);
      if (!opts.silent && 'method' in message && message.method === 'initialize' && 'id' in message) {
        queueMicrotask(() => server.onmessage?.({ jsonrpc: '2.0', id: message.id, result: {} }));
      }
    },
    async close() {
      server.closed = true;
    },
  };
  return server;
}

function setUp(opts: { silent?: boolean; startError?: Error; serverEnv?: SlotDeps['serverEnv'] } = {}) {
  let now = 1_000_000;
  let issued = 0;
  const servers: FakeServer[] = [];
  const seen: JSONRPCMessage[] = [];
  let exits = 0;
  const deps: SlotDeps = {
    server: 'fake',
    createServer: (env) => {
      const server = fakeServer(env, opts);
      servers.push(server);
      return server;
    },
    serverEnv:
      opts.serverEnv ??
      (async () => {
        issued += 1;
        return { env: { TOKEN: `token-${issued}` }, expiresAt: new Date(now + 5 * 60_000) };
      }),
    nowMs: () => now,
    sleep: async () => {},
  };
  const slot = new ServerSlot(deps, {
    message: (message) => seen.push(message),
    error: () => {},
    exited: () => {
      exits += 1;
    },
  });
  return {
    slot,
    servers,
    seen,
    exits: () => exits,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('ServerSlot', () => {
  it('launches on fetched credentials and is stale only inside the 60 s renewal margin', async () => {
    const { slot, servers, advance } = setUp();
    await slot.launch();
    expect(servers.map((s) => s.env)).toEqual([{ TOKEN: 'token-1' }]);
    expect(slot.stale).toBe(false);
    advance(4 * 60_000 - 1);
    expect(slot.stale).toBe(false);
    advance(1);
    expect(slot.stale).toBe(true);
  });

  it('never goes stale on credentials that do not expire', async () => {
    const { slot, advance } = setUp({ serverEnv: async () => ({ env: {}, expiresAt: null }) });
    await slot.launch();
    advance(365 * 24 * 3600_000);
    expect(slot.stale).toBe(false);
  });

  it('replaces the server on fresh credentials and replays the handshake the client made, unseen by it', async () => {
    const { slot, servers, seen, exits, advance } = setUp();
    await slot.launch();
    await slot.send(initialize);
    await slot.send(initialized);
    const answer = { jsonrpc: '2.0' as const, id: 0, result: {} };
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual([answer]);

    advance(4 * 60_000);
    await slot.replace();
    const [old, fresh] = servers;
    expect(old?.closed).toBe(true);
    expect(fresh?.env).toEqual({ TOKEN: 'token-2' });
    expect(fresh?.sent).toEqual([{ ...initialize, id: 'agentid-restart-1' }, initialized]);
    // The replayed handshake's answer is the slot's own; the client saw only its own answer.
    expect(seen).toEqual([answer]);
    expect(slot.stale).toBe(false);
    // The old server going away is no news: the relay goes on with the new one.
    old?.onclose?.();
    expect(exits()).toBe(0);
    fresh?.onclose?.();
    expect(exits()).toBe(1);
  });

  it('does not confirm a handshake the client never confirmed', async () => {
    const { slot, servers } = setUp();
    await slot.launch();
    await slot.send(initialize);
    await slot.replace();
    expect(servers[1]?.sent).toEqual([{ ...initialize, id: 'agentid-restart-1' }]);
  });

  it('fails with ERR_MCP_SERVER_START when the replacement does not answer the handshake', async () => {
    const { slot } = setUp({ silent: true });
    await slot.launch();
    await slot.send(initialize);
    await expect(slot.replace()).rejects.toMatchObject({
      code: 'ERR_MCP_SERVER_START',
      message: expect.stringContaining('did not initialize'),
    });
  });

  it('codes a server that cannot start, and keeps the code of a credential it could not get', async () => {
    const { slot } = setUp({ startError: new Error('spawn nope ENOENT') });
    await expect(slot.launch()).rejects.toMatchObject({
      code: 'ERR_MCP_SERVER_START',
      message: expect.stringContaining('spawn nope ENOENT'),
    });
    const denied = setUp({
      serverEnv: async () => {
        throw new AgentIdError('ERR_POLICY_DENIED', 'no credential for you');
      },
    });
    await expect(denied.slot.launch()).rejects.toMatchObject({ code: 'ERR_POLICY_DENIED' });
  });
});
