/** sock_diag: the request layout, answers parsed, and the real kernel naming a real peer. */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
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
    const request = unixDiagRequest(1234);
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

  it('answers each lookup with its own socket, on the one netlink socket kept between lookups', async () => {
    const path = `/tmp/agentid-diag-many-${process.pid}.sock`;
    const server = createServer();
    await new Promise<void>((r) => server.listen(path, r));
    const clients: import('node:net').Socket[] = [];
    try {
      const ends: number[] = [];
      for (let i = 0; i < 2; i++) {
        const accepted = new Promise<import('node:net').Socket>((r) => server.once('connection', r));
        clients.push(connect(path));
        ends.push(socketFd(await accepted));
      }
      const first = ends.map((fd) => peerSocketInode(fd));
      expect(first[0]).not.toBe(first[1]);
      const asked = Array.from({ length: 50 }, (_, i) => peerSocketInode(ends[i % 2] as number));
      expect(asked).toEqual(Array.from({ length: 50 }, (_, i) => first[i % 2]));
      // sock_diag sockets (protocol 4 in /proc/net/netlink) among our descriptors: one, kept.
      const diagInodes = readFileSync('/proc/self/net/netlink', 'utf8')
        .split('\n')
        .slice(1)
        .map((line) => line.trim().split(/\s+/))
        .filter((fields) => fields[1] === '4')
        .map((fields) => `socket:[${fields[9]}]`);
      const held = readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return diagInodes.includes(readlinkSync(`/proc/self/fd/${fd}`));
        } catch {
          return false;
        }
      });
      expect(held).toHaveLength(1);
    } finally {
      for (const client of clients) client.destroy();
      server.close();
    }
  });
});
