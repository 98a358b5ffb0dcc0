/**
 * One daemon per user, autostart, stale sockets and graceful shutdown, through the real CLI.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { api, type Home, makeHome, runCli, sleep, startDaemon } from './harness.js';

interface StartJson {
  started: boolean;
  pid: number;
  socket: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 25));
}

describe('daemon lifecycle', () => {
  let home: Home;
  afterEach(async () => {
    await runCli(home, ['daemon', 'stop']);
    home.cleanup();
  });

  it('`daemon start` twice (and concurrently) leaves exactly one daemon', async () => {
    home = makeHome();
    const [a, b] = await Promise.all([
      runCli(home, ['daemon', 'start', '--json']),
      runCli(home, ['daemon', 'start', '--json']),
    ]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const [ja, jb] = [JSON.parse(a.stdout) as StartJson, JSON.parse(b.stdout) as StartJson];
    expect(ja.pid).toBe(jb.pid);
    const third = await runCli(home, ['daemon', 'start']);
    expect(third.stdout).toContain(`already running (pid ${ja.pid})`);
    expect(readFileSync(join(home.dir, 'state', 'daemon.lock'), 'utf8').trim()).toBe(String(ja.pid));
    const status = await runCli(home, ['daemon', 'status', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true, pid: ja.pid });
  });

  it('a second `daemon run` is refused while one runs', async () => {
    home = makeHome();
    const daemon = await startDaemon(home);
    const second = await runCli(home, ['daemon', 'run']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('ERR_DAEMON_RUNNING');
    expect(second.stderr).toContain(`pid ${daemon.child.pid}`);
    expect((await api(home.socket, 'GET', '/v1/status')).status).toBe(200);
    await daemon.stop();
  });

  it('replaces the stale socket a SIGKILLed daemon left behind', async () => {
    home = makeHome();
    const start = JSON.parse((await runCli(home, ['daemon', 'start', '--json'])).stdout) as StartJson;
    process.kill(start.pid, 'SIGKILL');
    await waitGone(start.pid);
    expect(existsSync(home.socket)).toBe(true);
    const down = await runCli(home, ['daemon', 'status']);
    expect(down.code).toBe(5);

    const restart = JSON.parse((await runCli(home, ['daemon', 'start', '--json'])).stdout) as StartJson;
    expect(restart.started).toBe(true);
    expect(restart.pid).not.toBe(start.pid);
    expect(readFileSync(join(home.dir, 'state', 'daemon.log'), 'utf8')).toContain('replaced a stale socket');
  });

  it('autostarts for a command that needs it, unless AGENTID_NO_AUTOSTART=1', async () => {
    home = makeHome();
    const refused = await runCli(home, ['whoami'], { env: { AGENTID_NO_AUTOSTART: '1' } });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('ERR_DAEMON_UNAVAILABLE');
    expect(refused.stderr).toContain('agentid daemon start');

    const started = await runCli(home, ['whoami', '--json']);
    expect(started.code).toBe(0);
    expect((await runCli(home, ['daemon', 'status'])).code).toBe(0);
  });

  it('`daemon stop` finishes, removes the socket and closes the audit log cleanly', async () => {
    home = makeHome();
    const start = JSON.parse((await runCli(home, ['daemon', 'start', '--json'])).stdout) as StartJson;
    await api(home.socket, 'GET', '/v1/whoami');
    const stop = await runCli(home, ['daemon', 'stop']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain(`stopped (pid ${start.pid})`);
    await waitGone(start.pid);
    expect(alive(start.pid)).toBe(false);
    expect(existsSync(home.socket)).toBe(false);
    // A cleanly closed WAL database checkpoints and removes its -wal file.
    expect(existsSync(`${home.auditDb}-wal`)).toBe(false);
    expect((await runCli(home, ['audit', 'verify'])).code).toBe(0);
  });

  it('SIGTERM lets in-flight requests finish before the daemon exits', async () => {
    home = makeHome();
    const daemon = await startDaemon(home);
    const inFlight = Array.from({ length: 20 }, () => api(home.socket, 'GET', '/v1/whoami'));
    await sleep(5);
    daemon.child.kill('SIGTERM');
    const results = await Promise.allSettled(inFlight);
    expect(await daemon.stop()).toBe(0);
    expect(daemon.log()).toContain('stopped');
    // Closed cleanly: the WAL was checkpointed and removed.
    expect(existsSync(`${home.auditDb}-wal`)).toBe(false);

    // Every request the daemon took up (it committed a row) was answered in full; the rest were
    // refused before the daemon read them, never cut off half-way: at connect (ECONNREFUSED,
    // ENOENT), or, for a connection still queued in the listen backlog when the listener closed,
    // with a reset the client meets on reading (ECONNRESET) or on writing its request (EPIPE).
    const answered = results.filter((r) => r.status === 'fulfilled' && r.value.status === 200).length;
    for (const r of results) {
      if (r.status === 'fulfilled') expect(r.value.status).toBe(200);
      else expect((r.reason as NodeJS.ErrnoException).code).toMatch(/ECONNREFUSED|ENOENT|ECONNRESET|EPIPE/);
    }
    expect(answered).toBeGreaterThan(0);
    const audit = await runCli(home, ['audit', '--json', '--action', 'identify']);
    expect(audit.stdout.trim().split('\n')).toHaveLength(answered);
  });
});
