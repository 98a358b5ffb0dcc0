/**
 * A caller to attest, as the daemon meets one: a long-running process two `sh -c` levels below the
 * bench (so its ancestry is a realistic chain of shells and nodes up to pid 1) that connects to a
 * Unix socket, whose peer credentials, pidfd included, come from the kernel exactly as in
 * daemon/server.ts. The process lives as long as that connection: closing it, or the bench dying,
 * ends the process, so a run leaves nothing behind.
 */
import { createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { closePidfd, type PeerCredentials, readPeerCredentials, socketFd } from '../src/peer/index.js';
import { type Child, spawnChild } from './children.js';

// CommonJS under -e; argv[1] is the socket. Any end of the connection ends the process.
const PEER_SCRIPT =
  "const s = require('node:net').connect(process.argv[1]);" +
  "s.on('close', () => process.exit(0)); s.on('error', () => process.exit(1));";
// `; exit $?` keeps each shell from exec'ing its command, so both stay in the ancestry.
const NESTED_SH = `sh -c '"$0" "$@"; exit $?' "$@"; exit $?`;

export interface AttestPeer {
  peer: PeerCredentials;
  /** The outer shell: the peer's grandparent. */
  shell: Child;
  close(): Promise<void>;
}

export interface AttestPeerOptions {
  /** The executable the peer runs: a node binary (it runs PEER_SCRIPT). */
  execPath: string;
  socketPath: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

export async function startAttestPeer(opts: AttestPeerOptions): Promise<AttestPeer> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.socketPath, resolve);
  });
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const shell = spawnChild({
    execPath: '/bin/sh',
    args: ['-c', NESTED_SH, 'sh', opts.execPath, '-e', PEER_SCRIPT, opts.socketPath],
    env: opts.env,
    cwd: opts.cwd,
  });
  const timedOut = sleep(opts.timeoutMs, null, { ref: false });
  const socket = await Promise.race([accepted, timedOut]);
  // One caller only: later connections are not ours to attest.
  server.close();
  if (socket === null) {
    await shell.stop();
    throw new Error(`${opts.execPath} did not connect within ${opts.timeoutMs} ms:\n${shell.output()}`);
  }
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let peer: PeerCredentials;
  try {
    peer = readPeerCredentials(socketFd(socket));
  } catch (err) {
    socket.destroy();
    await shell.stop();
    throw err;
  }
  return {
    peer,
    shell,
    async close() {
      closePidfd(peer.pidfd);
      socket.destroy();
      await closed;
      await shell.stop();
    },
  };
}
