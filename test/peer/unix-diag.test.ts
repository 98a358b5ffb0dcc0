/** sock_diag: the request layout, answers parsed, and the real kernel naming a real peer. */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { socketFd } from '../../src/peer/index.js';
import { parseUnixDiagAnswer, peerSocketInode, unixDiagRequest } from '../../src/peer/unix-diag.js';
import { NOBODY } from '../other-uid.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot)
  console.warn('unix diag tests: not running as root, so the forged-reply test (uid 65534) is skipped');

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
    await withTwoConnections((ends, peers) => {
      const asked = Array.from({ length: 50 }, (_, i) => peerSocketInode(ends[i % 2] as number));
      expect(asked).toEqual(Array.from({ length: 50 }, (_, i) => peers[i % 2]));
      expect(keptDiagSockets()).toHaveLength(1);
    });
  });

  // The agent runs without CAP_NET_ADMIN; uid 65534 stands in for it (as root, this test process
  // has the capability, so it cannot play the attacker itself).
  it.skipIf(!isRoot)(
    'takes no datagram from another process: a forged reply is refused by the kernel',
    async () => {
      await withTwoConnections((ends, peers) => {
        const [kept] = keptDiagSockets();
        expect(kept).toBeDefined();
        // Forged replies (peer 424242) over a spread of sequence numbers; the first send must fail.
        const forge = `
import errno, socket, struct
s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 4)
outcome = 'sent'
for seq in range(1, 1 << 16, 4096):
    body = struct.pack('<BBBBII', 1, 1, 0, 0, 0, 0) + struct.pack('<II', 0, 0) + struct.pack('<HHI', 8, 2, 424242)
    try:
        s.sendto(struct.pack('<IHHII', 16 + len(body), 20, 0, seq, 0) + body, (${kept?.portId}, 0))
    except OSError as e:
        outcome = errno.errorcode[e.errno]
        break
print(outcome)`;
        const attacker = spawnSync('/usr/bin/python3', ['-c', forge], {
          uid: NOBODY,
          gid: NOBODY,
          encoding: 'utf8',
        });
        expect(attacker.stderr).toBe('');
        expect(attacker.stdout.trim()).toBe('EPERM');
        expect(ends.map((fd) => peerSocketInode(fd))).toEqual(peers);
      });
    },
  );
});

/** Two live connections to a fresh listener: the server ends' fds and their peers' inodes. */
async function withTwoConnections(use: (ends: number[], peers: (number | null)[]) => void): Promise<void> {
  const path = `/tmp/agentid-diag-two-${process.pid}.sock`;
  const server = createServer();
  await new Promise<void>((r) => server.listen(path, r));
  const clients: Socket[] = [];
  try {
    const ends: number[] = [];
    for (let i = 0; i < 2; i++) {
      const accepted = new Promise<Socket>((r) => server.once('connection', r));
      clients.push(connect(path));
      ends.push(socketFd(await accepted));
    }
    const peers = ends.map((fd) => peerSocketInode(fd));
    expect(peers[0]).not.toBe(peers[1]);
    use(ends, peers);
  } finally {
    for (const client of clients) client.destroy();
    await new Promise((r) => server.close(r));
  }
}

/** The sock_diag sockets (protocol 4 in /proc/net/netlink) among this process's descriptors. */
function keptDiagSockets(): { fd: string; portId: number }[] {
  const diag = new Map<string, number>(
    readFileSync('/proc/self/net/netlink', 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[1] === '4')
      .map((fields) => [`socket:[${fields[9]}]`, Number(fields[2])] as const),
  );
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const portId = diag.get(readlinkSync(`/proc/self/fd/${fd}`));
      return portId === undefined ? [] : [{ fd, portId }];
    } catch {
      return [];
    }
  });
}
