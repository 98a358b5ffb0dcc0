/**
 * connectToDaemon, in both ways of pinning the socket: through the checked directory's fd
 * (Linux) and by the listener's peer credentials (elsewhere; exercised here on Linux too). Real
 * sockets, real directories, and as root a real listener of uid 65534.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectToDaemon, type Pinning } from '../../src/protocol/connect.js';
import { isRoot, NOBODY, startImpostor } from '../e2e/impostor.js';

const uid = process.getuid?.() ?? 0;
const pinnings: Pinning[] = ['proc-fd', 'peer-credentials'];

describe.each(pinnings)('connectToDaemon (%s)', (pinning) => {
  let base: string;
  let dir: string;
  let socket: string;
  const servers: Server[] = [];
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'agentid-connect-'));
    chmodSync(base, 0o755);
    dir = join(base, 'run');
    socket = join(dir, 'agentid.sock');
  });
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
    rmSync(base, { recursive: true, force: true });
  });
  const connect = () => connectToDaemon({ socket, uid }, 2_000, pinning);
  const listen = () =>
    new Promise<Server>((resolve) => {
      const server = createServer((c) => c.end('pong'));
      servers.push(server);
      server.listen(socket, () => resolve(server));
    });

  it('reaches a listener of ours in a private directory', async () => {
    mkdirSync(dir, { mode: 0o700 });
    await listen();
    const conn = await connect();
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      conn.on('data', (c: Buffer) => {
        text += c.toString();
      });
      conn.on('end', () => resolve(text));
    });
    expect(answer).toBe('pong');
  });

  it('is "not running" without the directory or without the socket', async () => {
    await expect(connect()).rejects.toMatchObject({ code: 'ERR_DAEMON_UNAVAILABLE' });
    mkdirSync(dir, { mode: 0o700 });
    await expect(connect()).rejects.toMatchObject({ code: 'ERR_DAEMON_UNAVAILABLE' });
  });

  it('refuses a directory open to others, naming the fix, before connecting', async () => {
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    await listen();
    await expect(connect()).rejects.toMatchObject({
      code: 'ERR_PATHS_UNSAFE_DIR',
      message: expect.stringContaining(`chmod 700 ${dir}`),
    });
  });

  it('refuses a symlink to a private directory of ours', async () => {
    const real = join(base, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, dir);
    await expect(connect()).rejects.toMatchObject({
      code: 'ERR_PATHS_UNSAFE_DIR',
      message: expect.stringContaining('symbolic link'),
    });
  });

  it.skipIf(!isRoot)('refuses a directory of uid 65534 whose listener gets no byte', async () => {
    mkdirSync(dir, { mode: 0o755 });
    chownSync(dir, NOBODY, NOBODY);
    const impostor = await startImpostor(socket);
    await expect(connect()).rejects.toMatchObject({
      code: 'ERR_PATHS_UNSAFE_DIR',
      message: expect.stringContaining(`owned by uid ${NOBODY}`),
    });
    expect(await impostor.stop()).toEqual({ connections: 0, bytes: 0 });
  });
});

describe('connectToDaemon (peer-credentials): the listener itself', () => {
  it.skipIf(!isRoot)(
    'refuses a socket of uid 65534 that root moved into our private directory: ERR_DAEMON_IMPOSTOR, nothing sent',
    async () => {
      const base = mkdtempSync(join(tmpdir(), 'agentid-connect-'));
      try {
        chmodSync(base, 0o755);
        const theirs = join(base, 'theirs');
        mkdirSync(theirs, { mode: 0o755 });
        chownSync(theirs, NOBODY, NOBODY);
        const impostor = await startImpostor(join(theirs, 's.sock'));
        const dir = join(base, 'run');
        mkdirSync(dir, { mode: 0o700 });
        renameSync(join(theirs, 's.sock'), join(dir, 'agentid.sock'));
        await expect(
          connectToDaemon({ socket: join(dir, 'agentid.sock'), uid }, 2_000, 'peer-credentials'),
        ).rejects.toMatchObject({
          code: 'ERR_DAEMON_IMPOSTOR',
          message: expect.stringContaining(`runs as uid ${NOBODY}`),
        });
        // It saw the connection (that is how its uid was learned), but not a byte.
        expect((await impostor.stop()).bytes).toBe(0);
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    },
  );
});
