import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { allPids } from '../../src/attest/index.js';
import { loopbackClientOwner, socketHolders } from '../../src/peer/index.js';

describe.runIf(process.platform === 'linux')('socketHolders on the real /proc', () => {
  it('finds this process, and a child that inherited the socket, behind a connection', async () => {
    const accepted: Socket[] = [];
    const server = createServer((s) => accepted.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const serverPort = (server.address() as AddressInfo).port;
    const client = connect(serverPort, '127.0.0.1');
    await new Promise((r) => client.once('connect', r));
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], {
      stdio: ['ignore', 'ignore', 'ignore', client],
    });
    try {
      const owner = loopbackClientOwner(client.localPort ?? 0, serverPort);
      expect(owner).not.toBeNull();
      const inode = owner?.inode ?? 0;
      expect(socketHolders('/proc', inode, [process.pid])).toEqual([process.pid]);
      expect(socketHolders('/proc', inode, allPids('/proc')).sort()).toEqual(
        [process.pid, child.pid ?? 0].sort(),
      );
      expect(socketHolders('/proc', inode + 1_000_000, [process.pid])).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      client.destroy();
      for (const s of accepted) s.destroy();
      server.close();
    }
  });
});
