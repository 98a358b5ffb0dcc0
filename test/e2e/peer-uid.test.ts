/**
 * Security invariant 1: the socket is 0600 in a 0700 dir, and a peer of another uid is refused
 * with ERR_PEER_UID and an audit row, even when the file modes let its connection through.
 */
import { chmodSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requestScript, runScript } from './attackers.js';
import { makeHome, runCli, useDaemon } from './harness.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('skipping the other-uid attack: it needs root to spawn a process as uid 65534');

describe('socket permissions and foreign peers', () => {
  const t = useDaemon(undefined, undefined, { perTest: true });

  it('creates the socket 0600 inside a 0700 directory', () => {
    expect(statSync(t.home.socket).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(t.home.socket)).mode & 0o777).toBe(0o700);
  });

  it.skipIf(!isRoot)('refuses uid 65534 with ERR_PEER_UID and audits the refusal with that uid', async () => {
    // Loosen the modes for this one test so the attacker's connect() reaches the daemon's own check.
    chmodSync(t.home.dir, 0o755);
    chmodSync(dirname(t.home.socket), 0o755);
    chmodSync(t.home.socket, 0o666);
    const result = await runScript(requestScript(t.home.socket, '/v1/whoami'), { uid: 65534, gid: 65534 });
    expect(result.stderr).toBe('');
    const answer = JSON.parse(result.stdout) as {
      status: number;
      body: { error: { code: string } };
      pid: number;
    };
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('ERR_PEER_UID');

    const audit = await runCli(t.home, ['audit', '--json', '--decision', 'deny']);
    expect(audit.code).toBe(0);
    const rows = audit.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { errorCode: string; peer: { uid: number; pid: number } });
    expect(rows).toContainEqual(
      expect.objectContaining({
        errorCode: 'ERR_PEER_UID',
        peer: expect.objectContaining({ uid: 65534, pid: answer.pid }),
      }),
    );
  });
});

describe('private directories', () => {
  it('refuses to start when the socket directory is group/world accessible, without chmod-ing it', async () => {
    const home = makeHome();
    try {
      const { mkdirSync } = await import('node:fs');
      mkdirSync(dirname(home.socket), { mode: 0o755 });
      chmodSync(dirname(home.socket), 0o755);
      const result = await runCli(home, ['daemon', 'run']);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('ERR_PATHS_UNSAFE_DIR');
      expect(result.stderr).toContain('chmod 700');
      expect(statSync(dirname(home.socket)).mode & 0o777).toBe(0o755);
    } finally {
      home.cleanup();
    }
  });

  it.skipIf(!isRoot)('refuses a socket directory owned by another user', async () => {
    const home = makeHome();
    try {
      const { chownSync, mkdirSync } = await import('node:fs');
      mkdirSync(dirname(home.socket), { mode: 0o700 });
      chownSync(dirname(home.socket), 65534, 65534);
      const result = await runCli(home, ['daemon', 'run']);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('ERR_PATHS_UNSAFE_DIR');
      expect(result.stderr).toContain('owned by uid 65534');
    } finally {
      home.cleanup();
    }
  });
});
