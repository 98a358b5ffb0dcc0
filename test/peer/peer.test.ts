import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  closePidfd,
  type PeerCredentials,
  pidfdAlive,
  readPeerCredentials,
  socketFd,
} from '../../src/peer/index.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;
if (!isRoot) console.warn('peer tests: not running as root, so the other-uid peer test is skipped');

// Connects and then idles; the open socket keeps the child alive until it is killed.
const clientScript = `
require('node:net').connect(process.argv[1]).on('error', (e) => { console.error(e.message); process.exit(2); });
`;

describe('peer credentials over a real Unix socket', () => {
  let dir: string;
  let socketPath: string;
  let server: Server;
  const sockets: Socket[] = [];
  const children: ChildProcess[] = [];
  const pidfds: (number | null)[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentid-peer-'));
    socketPath = join(dir, 'agentid.sock');
    server = createServer((socket) => sockets.push(socket));
    server.listen(socketPath);
    await once(server, 'listening');
  });

  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const pidfd of pidfds.splice(0)) closePidfd(pidfd);
    for (const socket of sockets.splice(0)) socket.destroy();
    server.close();
    await once(server, 'close');
    rmSync(dir, { recursive: true, force: true });
  });

  async function accept(): Promise<Socket> {
    const [socket] = (await once(server, 'connection')) as [Socket];
    return socket;
  }

  function read(socket: Socket): PeerCredentials {
    const creds = readPeerCredentials(socketFd(socket));
    pidfds.push(creds.pidfd);
    return creds;
  }

  function spawnClient(options: { uid?: number; gid?: number } = {}): ChildProcess {
    const child = spawn(process.execPath, ['-e', clientScript, socketPath], {
      ...options,
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return child;
  }

  it('names this process for a client connected from it', async () => {
    const accepted = accept();
    sockets.push(createConnection(socketPath));
    const creds = read(await accepted);

    expect(creds.pid).toBe(process.pid);
    expect(creds.uid).toBe(process.getuid?.());
    expect(creds.gid).toBe(process.getgid?.());
    if (platform() === 'linux') {
      // SO_PEERPIDFD exists since Linux 6.5; this suite runs on 6.x.
      expect(creds.pidfd).not.toBeNull();
      expect(pidfdAlive(creds.pidfd as number)).toBe(true);
    }
  });

  it('names a child process that connects', async () => {
    const accepted = accept();
    const child = spawnClient();
    const creds = read(await accepted);
    expect(creds.pid).toBe(child.pid);
    expect(creds.uid).toBe(process.getuid?.());
  });

  it.skipIf(!isRoot)('reports the uid and gid of a peer running as another user', async () => {
    chmodSync(dir, 0o755);
    chmodSync(socketPath, 0o777);
    const accepted = accept();
    const child = spawnClient({ uid: NOBODY, gid: NOBODY });
    const creds = read(await accepted);
    expect(creds).toMatchObject({ pid: child.pid, uid: NOBODY, gid: NOBODY });
  });

  it.runIf(platform() === 'linux')('sees through the pidfd that a peer has died', async () => {
    const accepted = accept();
    const child = spawnClient();
    const creds = read(await accepted);
    const pidfd = creds.pidfd as number;
    expect(pidfdAlive(pidfd)).toBe(true);

    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(pidfdAlive(pidfd)).toBe(false);
  });

  it('fails closed on a socket that is already closed', async () => {
    const accepted = accept();
    sockets.push(createConnection(socketPath));
    const socket = await accepted;
    socket.destroy();
    expect(() => socketFd(socket)).toThrow(expect.objectContaining({ code: 'ERR_PEER_CREDENTIALS' }));
  });

  it('fails closed, naming the errno, on an fd that is not a socket', () => {
    const fd = openSync(join(dir, 'plain'), 'w');
    try {
      expect(() => readPeerCredentials(fd)).toThrow(
        expect.objectContaining({
          code: 'ERR_PEER_CREDENTIALS',
          message: expect.stringContaining('ENOTSOCK'),
        }),
      );
    } finally {
      closeSync(fd);
    }
  });
});
