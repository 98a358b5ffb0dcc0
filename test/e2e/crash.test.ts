/**
 * Security invariant 4 under a crash: SIGKILL mid-burst (rows in group commits) loses no
 * answered row and breaks no link, so `audit verify` passes after a restart; a row tampered with the real sqlite3 CLI is
 * caught and named by seq.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { api, type Home, makeHome, runCli, startDaemon } from './harness.js';

describe('audit chain across a crash and a tamper', () => {
  let home: Home;
  afterEach(() => home.cleanup());

  it('survives SIGKILL during 20 concurrent requests, then names a tampered seq', async () => {
    home = makeHome();
    const first = await startDaemon(home);
    await api(home.socket, 'GET', '/v1/whoami');
    const inFlight = Array.from({ length: 20 }, () =>
      api(home.socket, 'GET', '/v1/whoami').catch(() => null),
    );
    // Kill while the burst is being served.
    setTimeout(() => first.child.kill('SIGKILL'), 5);
    const answered = (await Promise.all(inFlight)).filter((r) => r?.status === 200);
    await first.stop();
    expect(first.child.signalCode).toBe('SIGKILL');

    const second = await startDaemon(home);
    expect(second.log()).toContain('replaced a stale socket');
    const after = await api(home.socket, 'GET', '/v1/whoami');
    expect(after.status).toBe(200);
    await second.stop();

    const verify = await runCli(home, ['audit', 'verify', '--json']);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    const result = JSON.parse(verify.stdout) as { ok: boolean; rows: number };
    expect(result.ok).toBe(true);
    // Every answered request had its row committed first: 1 before + answered + 1 after at least.
    expect(result.rows).toBeGreaterThanOrEqual(2 + answered.length);
    // And each answer names its own row, which is there (answers leave only after their group commit).
    const answeredSeqs = answered.map((r) => (r?.json as { auditSeq?: number } | undefined)?.auditSeq ?? -1);
    const identifyRows = "SELECT seq FROM events WHERE action = 'identify'";
    const stored = execFileSync('sqlite3', [home.auditDb, identifyRows], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
    expect(answeredSeqs.filter((seq) => !stored.includes(seq))).toEqual([]);

    execFileSync('sqlite3', [
      home.auditDb,
      "DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete; UPDATE events SET human = 'mallory' WHERE seq = 2;",
    ]);
    const broken = await runCli(home, ['audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/chain broken at seq 2\b/);
    expect(broken.stderr).toContain('ERR_AUDIT_CHAIN_BROKEN');
  });
});
