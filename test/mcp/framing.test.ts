/** MCP stdio framing: one JSON-RPC message per line, each line bounded, failures told apart by kind. */
import { describe, expect, it } from 'vitest';
import { FrameError, MessageReader, serialize } from '../../src/mcp/framing.js';

const ping = (id: number) => ({ jsonrpc: '2.0' as const, id, method: 'ping' });
const kinds = (items: unknown[]) => items.map((i) => (i instanceof FrameError ? i.kind : 'message'));

describe('MessageReader', () => {
  it('reads messages split across chunks and joined in one, with LF or CRLF', () => {
    const reader = new MessageReader(1024);
    const text = `${serialize(ping(1))}${JSON.stringify(ping(2))}\r\n${serialize(ping(3))}`;
    const cut = text.length - 10;
    const got = [
      ...reader.push(Buffer.from(text.slice(0, cut))),
      ...reader.push(Buffer.from(text.slice(cut))),
    ];
    expect(got).toEqual([ping(1), ping(2), ping(3)]);
  });

  it('bounds each line, not a chunk: many small messages over the bound together pass', () => {
    const reader = new MessageReader(64);
    const many = Array.from({ length: 20 }, (_, i) => serialize(ping(i))).join('');
    expect(many.length).toBeGreaterThan(64);
    expect(kinds(reader.push(Buffer.from(many)))).toEqual(Array(20).fill('message'));
  });

  it('refuses a line over the bound, even one that never ends, and then reads nothing more', () => {
    const reader = new MessageReader(64);
    expect(kinds(reader.push(Buffer.from(`${serialize(ping(1))}${'x'.repeat(40)}`)))).toEqual(['message']);
    expect(kinds(reader.push(Buffer.from('y'.repeat(40))))).toEqual(['too-large']);
    expect(reader.push(Buffer.from(serialize(ping(2))))).toEqual([]);
  });

  it('refuses a message nested past the bound unread, naming its id and whether it is a request, and reads on', () => {
    const reader = new MessageReader(1 << 20);
    const deep = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;
    const lines = [
      `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"arguments":${deep(5_000)}}}`,
      `{"jsonrpc":"2.0","id":"r","result":${deep(5_000)}}`,
      `{"jsonrpc":"2.0","method":"notifications/x","params":${deep(5_000)}}`,
      JSON.stringify(ping(8)),
    ];
    const got = reader.push(Buffer.from(`${lines.join('\n')}\n`));
    expect(kinds(got)).toEqual(['too-deep', 'too-deep', 'too-deep', 'message']);
    expect(got.slice(0, 3).map((item) => (item as FrameError).origin)).toEqual([
      { id: 7, request: true },
      { id: 'r', request: false },
      null,
    ]);
  });

  it.each([
    ['not JSON', 'this is not JSON-RPC', 'not-json'],
    ['an empty line', '', 'not-json'],
    ['JSON that is not JSON-RPC', '{"hello":"world"}', 'not-jsonrpc'],
    ['a JSON-RPC version other than 2.0', '{"jsonrpc":"1.0","id":1,"method":"x"}', 'not-jsonrpc'],
  ])('names %s, and keeps reading after it', (_name, line, kind) => {
    const reader = new MessageReader(1024);
    expect(kinds(reader.push(Buffer.from(`${line}\n${serialize(ping(1))}`)))).toEqual([kind, 'message']);
  });
});
