/** sock_diag: the request layout, answers parsed, and the real kernel naming a real peer. */
import { readdirSync, readlinkSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { socketFd } from '../../src/peer/index.js';
import { parseUnixDiagAnswer, peerSocketInode, unixDiagRequest } from '../../src/peer/unix-diag.js';

function answer(inode: number, attrs: [type: number, value: number][]): Buffer {
  const body = Buffer.alloc(16 + 8 * attrs.length);
  body.writeUInt32LE(inode, 4);
  attrs.forEach(([type, value], i) => {
    body.writeUInt16LE(8, 16 + 8 * i);
    body.writeUInt16LE(type, 18 + 8 * i);
    body.writeUInt32LE(value, 20 + 8 * i);
  });
  const header = Buffer.alloc(16);
  header.writeUInt32LE(16 + body.length, 0);
  header.writeUInt16LE(20, 4);
  return Buffer.concat([header, body]);
}

describe('unix diag', () => {
  it('asks for one socket by inode, with its peer', () => {
    const request = unixDiagRequest(1234, 7);
    expect(request.length).toBe(40);
    expect([
      request.readUInt16LE(4),
      request.readUInt8(16),
      request.readUInt32LE(24),
      request.readUInt32LE(28),
    ]).toEqual([20, 1, 1234, 4]);
  });

  it('finds the peer attribute, and nothing in an error or a foreign answer', () => {
    expect(
      parseUnixDiagAnswer(
        answer(1234, [
          [1, 9],
          [2, 5678],
        ]),
        1234,
      ),
    ).toBe(5678);
    expect(parseUnixDiagAnswer(answer(999, [[2, 5678]]), 1234)).toBeNull();
    const error = answer(1234, [[2, 5678]]);
    error.writeUInt16LE(2, 4);
    expect(parseUnixDiagAnswer(error, 1234)).toBeNull();
    expect(parseUnixDiagAnswer(Buffer.alloc(3), 1234)).toBeNull();
  });

  it('names the client socket of a real connection, as /proc shows it in the client', async () => {
    const path = `/tmp/agentid-diag-${process.pid}.sock`;
    const server = createServer();
    await new Promise<void>((r) => server.listen(path, r));
    try {
      const accepted = new Promise<import('node:net').Socket>((r) => server.once('connection', r));
      const client = connect(path);
      const peer = peerSocketInode(socketFd(await accepted));
      const links = readdirSync('/proc/self/fd').map((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return '';
        }
      });
      expect(links).toContain(`socket:[${peer}]`);
      client.destroy();
    } finally {
      server.close();
    }
  });
});
