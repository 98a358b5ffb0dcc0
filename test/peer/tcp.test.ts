import type { AddressInfo } from 'node:net';
import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { clientSocketInode, findTcpOwner, parseProcNetTcp } from '../../src/peer/index.js';

// Two rows of a real /proc/net/tcp: the client socket 127.0.0.1:40000 → 127.0.0.1:8080 and the
// server's accepted socket in the other direction.
const TABLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 111 1 0000000000000000 100 0 0 10 0
   1: 0100007F:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 222 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1F90 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 333 1 0000000000000000 20 4 30 10 -1
   3: 0A00000B:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 444 1 0000000000000000 20 4 30 10 -1
`;

describe('parseProcNetTcp / clientSocketInode', () => {
  it('reads addresses, ports (hex), uid and inode', () => {
    const rows = parseProcNetTcp(TABLE);
    expect(rows).toHaveLength(4);
    expect(rows[1]).toEqual({
      localAddress: '0100007F',
      localPort: 40000,
      remoteAddress: '0100007F',
      remotePort: 8080,
      uid: 1000,
      inode: 222,
    });
  });

  it.each([
    [40000, 8080, 222],
    [8080, 40000, 333],
    [40001, 8080, 0],
  ])('client port %i to server port %i is inode %i (loopback only)', (client, server, inode) => {
    expect(clientSocketInode(parseProcNetTcp(TABLE), client, server)).toBe(inode);
  });

  it('matches IPv4-mapped loopback in tcp6', () => {
    const tcp6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0000000000000000FFFF00000100007F:9C40 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 555 1 0 20 4 30 10 -1
`;
    expect(clientSocketInode(parseProcNetTcp(tcp6), 40000, 8080)).toBe(555);
  });
});

describe.runIf(process.platform === 'linux')('findTcpOwner on the real /proc', () => {
  it('finds this process behind a loopback connection it opened', async () => {
    const accepted: Socket[] = [];
    const server = createServer((s) => accepted.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const serverPort = (server.address() as AddressInfo).port;
    const client = connect(serverPort, '127.0.0.1');
    await new Promise((r) => client.once('connect', r));
    try {
      const owner = findTcpOwner('/proc', client.localPort ?? 0, serverPort);
      expect(owner?.pids).toEqual([process.pid]);
      expect(owner?.uid).toBe(process.getuid?.());
      expect(findTcpOwner('/proc', (client.localPort ?? 0) + 1, serverPort)).toBeNull();
    } finally {
      client.destroy();
      for (const s of accepted) s.destroy();
      server.close();
    }
  });
});
