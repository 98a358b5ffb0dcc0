import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeProcDir, openProcDir, readStat } from '../../src/attest/procfs.js';
import { type PeerCredentials, readPeerCredentials, socketFd } from '../../src/peer/index.js';
import { codeOf, isRoot, newAttestor, Scratch, usePeerServer } from './helpers.js';

// Connects, waits for the server's go, then exits: after handing its connection to a detached
// grandchild (printing the grandchild's pid) when told to.
const clientScript = `
const [path, mode] = process.argv.slice(1);
const socket = require('node:net').connect(path);
socket.once('data', () => {
  if (mode === 'handoff') {
    const child = require('node:child_process').spawn('sleep', ['30'], {
      stdio: ['ignore', 'ignore', 'ignore', socket],
      detached: true,
    });
    process.stdout.write(child.pid + '\\n');
  }
  process.exit(0);
});
`;

function canReusePids(): boolean {
  try {
    accessSync('/proc/sys/kernel/ns_last_pid', constants.W_OK);
    return isRoot;
  } catch {
    return false;
  }
}

describe('attesting the peer of a real connection', () => {
  const scratch = new Scratch();
  const peers = usePeerServer(scratch);

  async function connectChild(mode: 'exit' | 'handoff'): Promise<[ChildProcess, Socket, PeerCredentials]> {
    const accepted = once(peers.server, 'connection') as Promise<[Socket]>;
    const child = scratch.spawn(process.execPath, ['-e', clientScript, peers.socketPath, mode], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [socket] = await accepted;
    const creds = readPeerCredentials(socketFd(socket));
    peers.pidfds.push(creds.pidfd);
    return [child, socket, creds];
  }

  it('attests a live peer, pinned by its pidfd', async () => {
    const [child, , creds] = await connectChild('exit');
    expect(creds.pidfd).not.toBeNull();
    expect(await newAttestor().attest(creds)).toMatchObject({
      pid: child.pid,
      ppid: process.pid,
      exe: readlinkSync('/proc/self/exe'),
      pinnedBy: 'pidfd',
    });
    expect(await newAttestor().attest({ ...creds, pidfd: null })).toMatchObject({ pinnedBy: 'start-time' });
  });

  it('fails with ERR_ATTEST_PEER_GONE once the peer has exited and been reaped', async () => {
    const [child, socket, creds] = await connectChild('exit');
    socket.write('go');
    await once(child, 'exit');
    const attestor = newAttestor();
    await expect(attestor.attest(creds)).rejects.toThrow(codeOf('ERR_ATTEST_PEER_GONE'));
    await expect(attestor.attest({ ...creds, pidfd: null })).rejects.toThrow(codeOf('ERR_ATTEST_PEER_GONE'));
  });

  it('fails with ERR_ATTEST_PEER_GONE when the peer handed its connection to a child and exited', async () => {
    const [child, socket, creds] = await connectChild('handoff');
    const attestor = newAttestor();
    expect((await attestor.attest(creds)).pid).toBe(child.pid);

    socket.write('go');
    const [line] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
    const grandchild = Number(line.toString().trim());
    scratch.adopt(grandchild);
    await once(child, 'exit');

    // The connection lives on in the grandchild, but the pid the kernel recorded is gone.
    expect(readlinkSync(`/proc/${grandchild}/fd/3`)).toMatch(/^socket:/);
    expect(socket.readableEnded).toBe(false);
    await expect(attestor.attest(creds)).rejects.toThrow(codeOf('ERR_ATTEST_PEER_GONE'));
    await expect(attestor.attest({ ...creds, pidfd: null })).rejects.toThrow(codeOf('ERR_ATTEST_PEER_GONE'));
  });

  it('fails with ERR_ATTEST_PEER_GONE when the pid runs as another uid than the peer did', async () => {
    const [child, , creds] = await connectChild('exit');
    const stranger = { ...creds, uid: 4242, pidfd: null };
    await expect(newAttestor().attest(stranger)).rejects.toThrow(
      expect.objectContaining({ code: 'ERR_ATTEST_PEER_GONE', message: expect.stringContaining('uid 4242') }),
    );
    expect(child.exitCode).toBeNull();
  });

  // ns_last_pid makes the kernel hand out a chosen pid next: a real pid reuse, on demand.
  it.runIf(canReusePids())('is not fooled by another process that reused the peer’s pid', async () => {
    const [child, socket, creds] = await connectChild('exit');
    const pid = creds.pid;
    const pinned = openProcDir('/proc', pid);
    try {
      socket.write('go');
      await once(child, 'exit');

      let impostor: ChildProcess | undefined;
      for (let attempt = 0; attempt < 50 && impostor?.pid !== pid; attempt++) {
        impostor?.kill('SIGKILL');
        writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
        impostor = scratch.spawn('sleep', ['30']);
      }
      expect(impostor?.pid).toBe(pid);
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBe('sleep\u000030\u0000');

      // Same pid, same uid: only the pidfd tells the impostor from the peer.
      await expect(newAttestor().attest(creds)).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_ATTEST_PEER_GONE', message: expect.stringContaining('exited') }),
      );
      // And a /proc/PID directory opened before the exit keeps naming the old process.
      expect(() => readStat(pinned)).toThrow(
        expect.objectContaining({ code: expect.stringMatching(/ENOENT|ESRCH/) }),
      );
    } finally {
      closeProcDir(pinned);
    }
  });
});
