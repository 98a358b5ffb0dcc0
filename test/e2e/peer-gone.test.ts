/**
 * Security invariant 2: attestation fails closed. A request on a connection whose connecting
 * process is gone — it exited and left the socket to a forked child — is refused with
 * ERR_ATTEST_PEER_GONE and audited: the pid in the connection's credentials is not the sender.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { forkedPeerScript } from './attackers.js';
import { collect, runCli, useDaemon } from './harness.js';

const requestLine = 'GET /v1/whoami HTTP/1.1\r\n';

describe('a peer that is gone', () => {
  const t = useDaemon();

  it.each([
    ['connects and exits before sending anything; its forked child sends the request', '', requestLine],
    ['connects, starts the request and exits; its forked child finishes it', requestLine, ''],
  ])('%s: refused with ERR_ATTEST_PEER_GONE', async (_name, first, rest) => {
    const parent = spawn(process.execPath, ['-e', forkedPeerScript(t.home.socket, first, rest)], {
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
