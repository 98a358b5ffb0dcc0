/**
 * Attacks on what a connection's attestations keep between its requests (ConnectionMemo: where the
 * connector holds the connection, its user namespace chain). A real client connects, is attested
 * once, then changes what a process can change without exec (cwd, parent, argv memory, user
 * namespace, the descriptor it holds the connection in) or execs, hands the connection away, and
 * is attested again with the same memo. The oracle is a fresh attestation without the memo: what
 * the memo gives must be exactly what a full look says, and whatever a full look refuses stays
 * refused. A memo that kept anything stale fails these tests.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import type { Socket } from 'node:net';
import { createInterface, type Interface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import type { Attestation, ConnectionMemo } from '../../src/attest/index.js';
import { type PeerCredentials, readPeerCredentials, socketFd } from '../../src/peer/index.js';
import { codeOf, git, newAttestor, Scratch, usePeerServer } from './helpers.js';

// Commands arrive on the connection itself, one per line; answers go to stdout. The node client
// does what Node can do to itself (chdir, rewrite its argv memory, hand the connection to a child).
const nodeClient = `
const { spawn } = require('node:child_process');
const socket = require('node:net').connect(process.argv[1], () => console.log('ready'));
let buffered = '';
socket.on('data', (chunk) => {
  buffered += chunk;
  for (let nl; (nl = buffered.indexOf('\\n')) >= 0; buffered = buffered.slice(nl + 1)) {
    const [command, arg] = buffered.slice(0, nl).split(' ');
    if (command === 'chdir') process.chdir(arg);
    if (command === 'argv') process.title = arg;
    if (command === 'handoff') {
      const child = spawn('sleep', ['30'], { stdio: ['ignore', 'ignore', 'ignore', socket], detached: true });
      socket.destroy();
      console.log('child ' + child.pid);
      return;
    }
    console.log('ok');
  }
});
`;

// Python is single-threaded, so it can unshare a user namespace, and it can exec and dup.
const pythonClient = `
import ctypes, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
fd = s.detach()
def say(line):
    sys.stdout.write(line + '\\n'); sys.stdout.flush()
say('ready')
buffered = b''
while True:
    chunk = os.read(fd, 4096)
    if not chunk: break
    buffered += chunk
    while b'\\n' in buffered:
        line, buffered = buffered.split(b'\\n', 1)
        command = line.decode()
        if command == 'unshare':
            if ctypes.CDLL(None, use_errno=True).unshare(0x10000000) != 0:
                say('error ' + os.strerror(ctypes.get_errno())); continue
        if command == 'move':
            moved = os.dup(fd); os.close(fd); fd = moved
        if command == 'exec':
            os.set_inheritable(fd, True); os.execv('/bin/sleep', ['sleep', '30'])
        say('ok')
`;

function hasPython(): boolean {
  try {
    execFileSync('python3', ['-c', ''], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const python = hasPython();
if (!python)
  console.warn('connection-memo: python3 not on PATH; the unshare, dup and exec attacks are skipped');

interface Client {
  pid: number;
  creds: PeerCredentials;
  /** Sends a command over the connection and waits for the client's answer line. */
  command(line: string): Promise<string>;
}

describe('a connection memo under attack', () => {
  const scratch = new Scratch();
  const peers = usePeerServer(scratch);
  const readers: Interface[] = [];

  afterEach(() => {
    for (const reader of readers.splice(0)) reader.close();
  });

  /** Connects a client as the daemon accepts one: credentials and the image read at accept. */
  async function connect(command: string, args: string[], cwd: string): Promise<Client> {
    const accepted = once(peers.server, 'connection') as Promise<[Socket]>;
    const child = scratch.spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    readers.push(lines);
    const next = async () => ((await once(lines, 'line')) as [string])[0];
    const ready = next();
    const [socket] = await accepted;
    expect(await ready).toBe('ready');
    const creds = readPeerCredentials(socketFd(socket));
    peers.pidfds.push(creds.pidfd);
    const pid = creds.pid;
    creds.image = attestor.imageOf(pid);
    return {
      pid,
      creds,
      command(line) {
        const answer = next();
        socket.write(`${line}\n`);
        return answer;
      },
    };
  }

  const attestor = newAttestor();
  const nodeArgs = () => ['-e', nodeClient, peers.socketPath];
  const pythonArgs = () => ['-c', pythonClient, peers.socketPath];

  /** Attests with the memo, and checks it says exactly what a fresh attestation says. */
  async function attestBoth(client: Client, memo: ConnectionMemo): Promise<Attestation> {
    const remembered = await attestor.attest(client.creds, memo);
    expect(remembered).toEqual(await attestor.attest(client.creds));
    return remembered;
  }

  it('sees a chdir into another repository', async () => {
    const here = realpathSync(scratch.dir());
    const there = realpathSync(scratch.dir());
    git(there, 'init', '-q');
    const client = await connect(process.execPath, nodeArgs(), here);
    const memo: ConnectionMemo = {};
    const before = await attestBoth(client, memo);
    expect(before.cwd).toBe(here);
    expect(before.repo).toBeNull();

    expect(await client.command(`chdir ${there}`)).toBe('ok');
    const after = await attestBoth(client, memo);
    expect(after.cwd).toBe(there);
    expect(after.repo?.root).toBe(there);
  });

  it('sees argv rewritten in memory', async () => {
    const client = await connect(process.execPath, nodeArgs(), scratch.dir());
    const memo: ConnectionMemo = {};
    expect((await attestBoth(client, memo)).cmdline).toContain(peers.socketPath);

    expect(await client.command('argv innocent-looking-title')).toBe('ok');
    const after = await attestBoth(client, memo);
    expect(readFileSync(`/proc/${client.pid}/cmdline`, 'utf8')).toContain('innocent-looking-title');
    expect(after.cmdline.join(' ')).toContain('innocent-looking-title');
    expect(after.cmdline.join(' ')).not.toContain(peers.socketPath);
  });

  it('sees the client reparented when its parent dies', async () => {
    const dir = scratch.dir();
    // sh is the client's parent; killing it reparents the client to init or a subreaper.
    const shell = scratch.spawn('sh', ['-c', '"$0" "$@" & wait', process.execPath, ...nodeArgs()], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const accepted = once(peers.server, 'connection') as Promise<[Socket]>;
    const lines = createInterface({ input: shell.stdout as NodeJS.ReadableStream });
    readers.push(lines);
    const ready = once(lines, 'line');
    const [socket] = await accepted;
    await ready;
    const creds = readPeerCredentials(socketFd(socket));
    peers.pidfds.push(creds.pidfd);
    scratch.adopt(creds.pid);
    creds.image = attestor.imageOf(creds.pid);
    const client: Client = { pid: creds.pid, creds, command: async () => '' };
    const memo: ConnectionMemo = {};
    const before = await attestBoth(client, memo);
    expect(before.ppid).toBe(shell.pid);

    shell.kill('SIGKILL');
    await once(shell, 'exit');
    const after = await attestBoth(client, memo);
    expect(after.ppid).not.toBe(shell.pid);
    expect(after.ancestors.map((hop) => hop.pid)).not.toContain(shell.pid);
  });

  it('refuses a connector that handed the connection to a child and closed its own copy', async () => {
    const client = await connect(process.execPath, nodeArgs(), scratch.dir());
    const memo: ConnectionMemo = {};
    await attestBoth(client, memo);
    expect(memo.held?.fds.length).toBe(1);

    const answer = await client.command('handoff');
    const child = Number(/^child (\d+)$/.exec(answer)?.[1]);
    scratch.adopt(child);
    // The connection lives on in the child; the connector, alive, holds no descriptor on it.
    expect(readlinkSync(`/proc/${child}/fd/3`)).toMatch(/^socket:/);
    await expect(attestor.attest(client.creds, memo)).rejects.toThrow(codeOf('ERR_ATTEST_SENDER'));
    await expect(attestor.attest(client.creds)).rejects.toThrow(codeOf('ERR_ATTEST_SENDER'));
    // A connection whose first request is refused keeps waiting out an exec in progress.
    const refusedFirst: ConnectionMemo = {};
    await expect(attestor.attest(client.creds, refusedFirst)).rejects.toThrow(codeOf('ERR_ATTEST_SENDER'));
    expect(refusedFirst.settled).toBeUndefined();
    // And keeps no directory open: a refused request's reads are not carried over.
    expect(refusedFirst.proc).toBeUndefined();
    expect(memo.proc).toBeUndefined();
  });

  const openFds = () => readdirSync('/proc/self/fd').length;

  it("reads later requests through the first one's directory, and release closes it", async () => {
    const client = await connect(process.execPath, nodeArgs(), scratch.dir());
    // Without a memo nothing stays open but the ancestors' stat descriptors (procfs.ts).
    await attestor.attest(client.creds);
    const before = openFds();
    const memo: ConnectionMemo = {};
    await attestBoth(client, memo);
    const kept = openFds();
    // The directory, and the stat, status and cmdline every request re-reads.
    expect(kept - before).toBe(4);
    for (let i = 0; i < 5; i++) await attestBoth(client, memo);
    expect(openFds()).toBe(kept);
    attestor.release(memo);
    expect(openFds()).toBe(before);
    expect(memo.proc).toBeUndefined();
  });

  it('closes a released directory only once the attestation using it has finished', async () => {
    const client = await connect(process.execPath, nodeArgs(), scratch.dir());
    await attestor.attest(client.creds);
    const before = openFds();
    const memo: ConnectionMemo = {};
    await attestor.attest(client.creds, memo);
    // The connection closes while its next request is being attested.
    const inFlight = attestor.attest(client.creds, memo);
    attestor.release(memo);
    expect(openFds()).toBeGreaterThan(before);
    expect((await inFlight).pid).toBe(client.pid);
    expect(openFds()).toBe(before);
  });

  it.runIf(python)('follows the connection to another descriptor', async () => {
    const client = await connect('python3', pythonArgs(), scratch.dir());
    const memo: ConnectionMemo = {};
    await attestBoth(client, memo);
    const [fd] = memo.held?.fds ?? [];

    expect(await client.command('move')).toBe('ok');
    await attestBoth(client, memo);
    expect(memo.held?.fds).toHaveLength(1);
    expect(memo.held?.fds).not.toContain(fd);
    expect(memo.held?.hold).toBe('close-on-exec');
  });

  it.runIf(python)('sees the client enter a new user namespace', async () => {
    const client = await connect('python3', pythonArgs(), scratch.dir());
    const memo: ConnectionMemo = {};
    const before = await attestBoth(client, memo);

    const answer = await client.command('unshare');
    if (answer !== 'ok') {
      console.warn(`connection-memo: unshare(CLONE_NEWUSER) refused here (${answer}); attack not run`);
      return;
    }
    const after = await attestBoth(client, memo);
    expect(after.userns).toHaveLength(before.userns.length + 1);
    expect(after.userns.slice(1)).toEqual(before.userns);
    expect(memo.userns).toEqual(after.userns);
  });

  it.runIf(python)('refuses a connector that exec’d, keeping the connection', async () => {
    const client = await connect('python3', pythonArgs(), scratch.dir());
    const memo: ConnectionMemo = {};
    await attestBoth(client, memo);
    // Its exec wait is behind it: the exec below is refused by the image alone.
    expect(memo.settled).toBe(true);

    // No answer comes: the client is sleep(1) now.
    void client.command('exec');
    for (let i = 0; i < 200 && !readlinkSync(`/proc/${client.pid}/exe`).endsWith('sleep'); i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(readlinkSync(`/proc/${client.pid}/exe`)).toMatch(/sleep$/);
    // Same pid, start time and pidfd, still holding the connection in the remembered descriptor.
    expect(readlinkSync(`/proc/${client.pid}/fd/${memo.held?.fds[0]}`)).toMatch(/^socket:/);
    await expect(attestor.attest(client.creds, memo)).rejects.toThrow(codeOf('ERR_ATTEST_SENDER'));
    await expect(attestor.attest(client.creds)).rejects.toThrow(codeOf('ERR_ATTEST_SENDER'));
  });
});
