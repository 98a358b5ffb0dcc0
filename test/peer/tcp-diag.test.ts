import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDiagReply, encodeDiagRequest, loopbackClientOwner } from '../../src/peer/tcp-diag.js';

const isLinux = process.platform === 'linux';
const isRoot = process.getuid?.() === 0;

describe('encodeDiagRequest / decodeDiagReply', () => {
  it('asks for one IPv4 TCP socket by its ports and loopback addresses, no dump', () => {
    const req = encodeDiagRequest(0x1234, 0x5678);
    expect(req.length).toBe(72);
    expect(req.readUInt32LE(0)).toBe(72);
    expect(req.readUInt16LE(4)).toBe(20); // SOCK_DIAG_BY_FAMILY
    expect(req.readUInt16LE(6)).toBe(1); // NLM_F_REQUEST only
    expect([req[16], req[17]]).toEqual([2, 6]); // AF_INET, IPPROTO_TCP
    expect(req.subarray(24, 28)).toEqual(Buffer.from([0x12, 0x34, 0x56, 0x78])); // ports, big-endian
    expect([...req.subarray(28, 32)]).toEqual([127, 0, 0, 1]);
    expect([...req.subarray(44, 48)]).toEqual([127, 0, 0, 1]);
  });

  it('reads uid and inode from a reply; an error, a short or a TIME_WAIT reply is no owner', () => {
    const reply = Buffer.alloc(88);
    reply.writeUInt16LE(20, 4);
    reply.writeUInt32LE(65534, 80);
    reply.writeUInt32LE(4242, 84);
    expect(decodeDiagReply(reply)).toEqual({ uid: 65534, inode: 4242 });
    const timeWait = Buffer.from(reply);
    timeWait.writeUInt32LE(0, 84);
    expect(decodeDiagReply(timeWait)).toBeNull();
    const error = Buffer.alloc(36);
    error.writeUInt16LE(2, 4); // NLMSG_ERROR (ENOENT)
    expect(decodeDiagReply(error)).toBeNull();
    expect(decodeDiagReply(reply.subarray(0, 40))).toBeNull();
  });
});

describe.skipIf(!isLinux)('loopbackClientOwner (real kernel)', () => {
  let server: Server;
  let port: number;
  const clients: Socket[] = [];
  beforeAll(async () => {
    server = createServer(() => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    for (const c of clients) c.destroy();
    server.close();
  });

  const connected = (host: string) =>
    new Promise<Socket>((resolve) => {
      const c = connect({ port, host }, () => resolve(c));
      clients.push(c);
    });

  it.each(['127.0.0.1', '::ffff:127.0.0.1'])(
    'names our uid and our socket for a client via %s',
    async (host) => {
      const client = await connected(host);
      const owner = loopbackClientOwner(client.localPort ?? 0, port);
      expect(owner?.uid).toBe(process.getuid?.());
      const ours = readdirSync('/proc/self/fd').map((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return '';
        }
      });
      expect(ours).toContain(`socket:[${owner?.inode}]`);
    },
  );

  it('knows no owner for a port pair nobody uses', () => {
    expect(loopbackClientOwner(1, port)).toBeNull();
  });

  it.skipIf(!isRoot)('names uid 65534 for a client running as 65534', async () => {
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const c = require('node:net').connect(${port}, '127.0.0.1', () => console.log(c.localPort));
         setTimeout(() => process.exit(0), 10000);`,
      ],
      { uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const clientPort = await new Promise<number>((resolve) =>
        child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
      );
      expect(loopbackClientOwner(clientPort, port)?.uid).toBe(65534);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
