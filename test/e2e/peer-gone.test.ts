/**
 * Security invariant 2: attestation fails closed. A request on a connection whose connecting
 * process is gone — it exited and left the socket to a forked child — is refused with
 * ERR_ATTEST_PEER_GONE and audited: the pid in the connection's credentials is not the sender.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { collect, runCli, useDaemon } from './harness.js';

const requestLine = 'GET /v1/whoami HTTP/1.1\r\n';

// Runs in the grandchild: waits until the connecting process is gone, then sends (the rest of)
// the request over the inherited connection (fd 3) and prints the daemon's answer.
const childScript = `
const net = require('node:net');
const [parent, rest] = [Number(process.argv[1]), process.argv[2]];
const send = () => {
  const conn = new net.Socket({ fd: 3, readable: true, writable: true });
  let answer = '';
  conn.on('data', (c) => { answer += c; });
  conn.on('end', () => { process.stdout.write(answer); process.exit(0); });
  conn.write(rest + 'Host: x\\r\\nConnection: close\\r\\n\\r\\n');
};
const wait = () => { try { process.kill(parent, 0); setTimeout(wait, 5); } catch { send(); } };
wait();
`;

// Runs in the connecting process: connects, writes `first`, hands the socket to a child, exits.
const parentScript = (socket: string, first: string, rest: string) => `
const net = require('node:net');
const { spawn } = require('node:child_process');
const conn = net.connect(${JSON.stringify(socket)}, () => {
  conn.write(${JSON.stringify(first)});
  spawn(process.execPath, ['-e', ${JSON.stringify(childScript)}, String(process.pid), ${JSON.stringify(rest)}],
    { stdio: ['ignore', 'inherit', 'inherit', conn] }).unref();
  process.exit(0);
});
`;

describe('a peer that is gone', () => {
  const t = useDaemon();

  it.each([
    ['connects and exits before sending anything; its forked child sends the request', '', requestLine],
    ['connects, starts the request and exits; its forked child finishes it', requestLine, ''],
  ])('%s: refused with ERR_ATTEST_PEER_GONE', async (_name, first, rest) => {
    const parent = spawn(process.execPath, ['-e', parentScript(t.home.socket, first, rest)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // 'close' waits for the grandchild too: it shares the stdout pipe.
    const out = await collect(parent);
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/^HTTP\/1\.1 403/);
    expect(out.stdout).toContain('"code":"ERR_ATTEST_PEER_GONE"');

    const denied = (await runCli(t.home, ['audit', '--json', '--decision', 'deny'])).stdout
      .trim()
      .split('\n');
    const row = JSON.parse(denied.at(-1) ?? '{}') as { errorCode: string; peer: { pid: number } };
    expect(row.errorCode).toBe('ERR_ATTEST_PEER_GONE');
    expect(row.peer.pid).toBe(parent.pid);
  });

  it('stays up and serves live callers afterwards', async () => {
    expect(t.daemon.child.exitCode).toBeNull();
    expect((await runCli(t.home, ['whoami'])).code).toBe(0);
  });
});
