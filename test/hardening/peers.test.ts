/**
 * Attack: callers the daemon must refuse, each tried several times against the real daemon —
 * another uid; a dead peer (its connection delivered over SCM_RIGHTS to a process that existed
 * before it, after the connector exited); a forked peer (the connection inherited by a child that
 * finishes the request after the connector exited); a non-dumpable peer (prctl(PR_SET_DUMPABLE,
 * 0)), whose /proc entry only a CAP_SYS_PTRACE holder may read, so as root the daemon runs as
 * uid 65534 for that case. Each refusal must carry its code and leave an audit row.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, chownSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forkedPeerScript, nonDumpablePrelude, requestScript, runScript } from '../e2e/attackers.js';
import { collect, type Home, makeHome, runCli, sleep, useDaemon } from '../e2e/harness.js';
import { NOBODY, treeForOtherUid } from '../other-uid.js';
import { record } from './tally.js';

const ROUNDS = 5;
const isRoot = process.getuid?.() === 0;

interface Answer {
  status: number;
  body: { error?: { code: string } };
  pid: number;
}

/** The connector spawns a holder first, then connects and passes the socket to it over IPC, and exits. */
function deadPeerScript(socket: string): string {
  const holder = `
process.on('message', (_m, conn) => {
  const wait = () => { try { process.kill(Number(process.argv[1]), 0); setTimeout(wait, 5); } catch { send(); } };
  const send = () => {
    let answer = '';
    conn.on('data', (c) => { answer += c; });
    conn.on('end', () => { process.stdout.write(answer); process.exit(0); });
    conn.write('GET /v1/whoami HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n');
  };
  wait();
});`;
  return `
const { spawn } = require('node:child_process');
const holder = spawn(process.execPath, ['-e', ${JSON.stringify(holder)}, String(process.pid)],
  { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
holder.unref();
const conn = require('node:net').connect(${JSON.stringify(socket)}, () => {
  holder.send('conn', conn, { keepOpen: false }, () => process.exit(0));
});`;
}

async function deniedRows(home: Home, code: string): Promise<{ peer: { pid: number } }[]> {
  const out = await runCli(home, ['audit', '--json', '--decision', 'deny', '--limit', '1000']);
  return out.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { errorCode: string; peer: { pid: number } })
    .filter((r) => r.errorCode === code);
}

describe('refused peers', () => {
  const t = useDaemon();

  it.skipIf(!isRoot)('another uid: ERR_PEER_UID, audited with its uid', async () => {
    chmodSync(t.home.dir, 0o755);
    chmodSync(dirname(t.home.socket), 0o755);
    chmodSync(t.home.socket, 0o666);
    let failures = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const r = await runScript(requestScript(t.home.socket, '/v1/whoami'), { uid: NOBODY, gid: NOBODY });
      const answer = JSON.parse(r.stdout) as Answer;
      if (answer.status !== 403 || answer.body.error?.code !== 'ERR_PEER_UID') failures++;
    }
    chmodSync(t.home.socket, 0o600);
    chmodSync(dirname(t.home.socket), 0o700);
    chmodSync(t.home.dir, 0o700);
    expect((await deniedRows(t.home, 'ERR_PEER_UID')).length).toBe(ROUNDS);
    record({ attack: 'peer: another uid', tried: ROUNDS, failures });
    expect(failures).toBe(0);
  });

  it.each([
    ['dead peer (connection passed over SCM_RIGHTS, connector exited)', 'dead'],
    ['forked peer (connection inherited by a child, connector exited)', 'forked'],
  ])('%s: ERR_ATTEST_PEER_GONE, audited with the connector pid', async (name, kind) => {
    let failures = 0;
    const pids: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // The forked variants alternate: nothing sent yet, or half a request sent, before the exit.
      const script =
        kind === 'dead'
          ? deadPeerScript(t.home.socket)
          : forkedPeerScript(
              t.home.socket,
              i % 2 ? 'GET /v1/whoami HTTP/1.1\r\n' : '',
              i % 2 ? '' : 'GET /v1/whoami HTTP/1.1\r\n',
            );
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      const out = await collect(child);
      pids.push(child.pid ?? 0);
      if (!/^HTTP\/1\.1 403/.test(out.stdout) || !out.stdout.includes('"ERR_ATTEST_PEER_GONE"')) failures++;
    }
    const rows = await deniedRows(t.home, 'ERR_ATTEST_PEER_GONE');
    for (const pid of pids) expect(rows.map((r) => r.peer.pid)).toContain(pid);
    record({ attack: `peer: ${kind}`, tried: ROUNDS, failures, note: name });
    expect(failures).toBe(0);
  });
});

/**
 * A daemon as uid `uid` in a home it owns (non-root: the current user), run from `tree` (a copy
 * of the built CLI that uid can read). Its death fails the start at once, with its log.
 */
async function startDaemonAs(home: Home, uid: number, tree: string): Promise<ChildProcess> {
  chownSync(home.dir, uid, uid);
  const child = spawn(process.execPath, [join(tree, 'dist', 'cli', 'main.js'), 'daemon', 'run'], {
    env: { ...home.env, HOME: home.dir },
    cwd: '/',
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(uid === process.getuid?.() ? {} : { uid, gid: uid }),
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`daemon exited with ${child.exitCode}: ${log}`);
    // As root the socket is not reachable from here: ask as the daemon's uid.
    const r = await runScript(
      requestScript(home.socket, '/v1/status'),
      uid === process.getuid?.() ? {} : { uid, gid: uid },
    );
    if (r.stdout.includes('"status":200')) return child;
    await sleep(100);
  }
  throw new Error(`daemon did not answer: ${log}`);
}

describe('a non-dumpable peer', () => {
  const uid = isRoot ? NOBODY : (process.getuid?.() ?? 0);
  const as = isRoot ? { uid: NOBODY, gid: NOBODY } : {};
  const home = makeHome();
  // What the daemon and the peer load, where uid 65534 can read it wherever this clone lives.
  const tree = treeForOtherUid(['package.json', 'dist', 'node_modules']);
  let daemon: ChildProcess | undefined;
  afterAll(async () => {
    daemon?.kill('SIGTERM');
    await sleep(200);
    home.cleanup();
    tree.cleanup();
  });

  it('is refused with ERR_ATTEST_UNREADABLE while the same caller, dumpable, is served', async () => {
    daemon = await startDaemonAs(home, uid, tree.root);
    let failures = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const control = JSON.parse(
        (await runScript(requestScript(home.socket, '/v1/whoami'), as)).stdout,
      ) as Answer;
      expect(control.status).toBe(200);
      const r = await runScript(requestScript(home.socket, '/v1/whoami', nonDumpablePrelude(tree.root)), as);
      expect(r.stderr).toBe('');
      const answer = JSON.parse(r.stdout) as Answer;
      if (answer.status !== 403 || answer.body.error?.code !== 'ERR_ATTEST_UNREADABLE') failures++;
    }
    record({ attack: 'peer: non-dumpable', tried: ROUNDS, failures, note: `daemon uid ${uid}` });
    expect(failures).toBe(0);
    expect(daemon.exitCode).toBeNull();
  });
});
