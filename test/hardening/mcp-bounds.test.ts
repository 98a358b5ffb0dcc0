/**
 * Attack: MCP messages past the proxy's bounds, from either side. The agent (the MCP client)
 * sends a tools/call whose arguments nest 5,000 and 100,000 levels deep, and one whose tool name
 * holds a lone UTF-16 surrogate; the server answers with a 5,000-deep result and lists a tool with
 * such a name. Each must get a JSON-RPC answer within a second, coded `ERR_MCP_*` where it is an
 * error (never ERR_INTERNAL, never silence), and the proxy must go on relaying. The agent can also
 * skip the proxy and ask the daemon's /v1/mcp routes itself: the same bounds hold there.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, useDaemon } from '../e2e/harness.js';
import { call, initialize, misbehavingServer, rawProxy } from '../e2e/mcp-raw.js';
import { record } from './tally.js';

const anyBadTool =
  'permit (principal, action == Action::"mcp", resource) when { resource.server == "bad" };\n';
const ANSWER_WITHIN_MS = 1_000;

/** A tools/call line with arguments nested `depth` levels, written by hand (JSON.stringify overflows). */
function deepCall(id: number, depth: number, open = '{"a":', close = '}'): string {
  const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
  return `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo","arguments":{"x":${nested}}}}`;
}

interface Answer {
  result?: { tools?: { name: string }[]; content?: unknown };
  error?: { code: number; data?: { code?: string } };
}

describe('attack: MCP nesting and names past the bounds', () => {
  const t = useDaemon(undefined, (home) => {
    mkdirSync(join(home.dir, 'policy'));
    writeFileSync(join(home.dir, 'policy', 'mcp.cedar'), anyBadTool);
  });

  it('answers each within a second with a coded error (or a sound list) and keeps relaying', async () => {
    const proxy = rawProxy(t.home, [process.execPath, misbehavingServer, '--odd-names']);
    try {
      initialize(proxy);
      expect(await proxy.answer(0)).toHaveProperty('result');
      const isMcpError = (a: Answer) => /^ERR_MCP_/.test(a.error?.data?.code ?? '');
      const cases: [string, string, (a: Answer) => boolean][] = [
        ['client: arguments 5,000 deep', deepCall(1, 5_000), isMcpError],
        ['client: arguments 100,000 deep (arrays)', deepCall(2, 100_000, '[', ']'), isMcpError],
        ['client: lone surrogate in the tool name', call(3, 'echo\ud800'), isMcpError],
        ['server: result 5,000 deep', call(4, 'deep', { depth: 5_000 }), isMcpError],
        [
          'server: lone surrogate in a listed tool name',
          '{"jsonrpc":"2.0","id":5,"method":"tools/list"}',
          (a) => (a.result?.tools ?? []).some((tool) => tool.name === 'echo'),
        ],
        [
          'after all that, a normal call',
          call(6, 'echo', { ok: true }),
          (a) => JSON.stringify(a.result?.content ?? null).includes('ok'),
        ],
      ];
      const failures: string[] = [];
      let slowest = 0;
      for (const [index, [name, line, ok]] of cases.entries()) {
        const started = Date.now();
        proxy.send(line);
        const answer = (await proxy.answer(index + 1).catch(() => null)) as Answer | null;
        const took = Date.now() - started;
        slowest = Math.max(slowest, took);
        if (!answer) failures.push(`${name}: no answer`);
        else if (!ok(answer)) failures.push(`${name}: ${JSON.stringify(answer).slice(0, 160)}`);
        else if (took > ANSWER_WITHIN_MS) failures.push(`${name}: answered after ${took} ms`);
      }
      record({
        attack: 'attack: MCP nesting / names',
        tried: cases.length,
        failures: failures.length,
        note: failures.join('; ') || `slowest answer ${slowest} ms`,
      });
      expect(failures).toEqual([]);
      expect(proxy.stderr()).not.toMatch(/RangeError|ERR_INTERNAL/);
    } finally {
      proxy.child.kill('SIGKILL');
    }
  });

  it('the daemon refuses the same to an agent that skips the proxy and asks its routes', async () => {
    const decide = (name: string, nestedArguments: string) =>
      api(t.home.socket, 'POST', '/v1/mcp/decide', {
        headers: { 'content-type': 'application/json' },
        body: `{"server":"bad","method":"tools/call","name":${name},"argsDigest":"${'0'.repeat(64)}","arguments":${nestedArguments}}`,
      });
    const answers = [
      ['lone surrogate in the name', await decide('"echo\\ud800"', '{}'), 'ERR_MCP_NAME_INVALID'],
      [
        'arguments 5,000 deep',
        await decide('"echo"', `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`),
        'ERR_MCP_MESSAGE_TOO_DEEP',
      ],
      [
        'list with a lone surrogate',
        await api(t.home.socket, 'POST', '/v1/mcp/list', {
          headers: { 'content-type': 'application/json' },
          body: '{"server":"bad","method":"tools/list","names":["echo","\\udfff"]}',
        }),
        'ERR_MCP_NAME_INVALID',
      ],
    ] as const;
    const failures = answers
      .filter(
        ([, res, code]) =>
          res.status !== 400 || (res.json as { error?: { code?: string } })?.error?.code !== code,
      )
      .map(([name, res]) => `${name}: ${res.status} ${res.text.slice(0, 160)}`);
    record({
      attack: 'attack: MCP names / nesting at the daemon routes',
      tried: answers.length,
      failures: failures.length,
      note: failures.join('; ') || answers.map(([, res]) => res.status).join('/'),
    });
    expect(failures).toEqual([]);
    expect((await api(t.home.socket, 'GET', '/v1/status')).status).toBe(200);
  });
});
