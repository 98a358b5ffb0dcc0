/**
 * The audit commands end to end, against the built CLI and daemon: export of a known log matches
 * the golden files, retention prunes at daemon start and on `agentid audit prune` while verify
 * keeps passing ("verified from anchor"), and `agentid audit --follow` streams rows as the daemon
 * commits them.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditWriter } from '../../src/audit/index.js';
import { event } from '../audit/helpers.js';
import { api, cliPath, type Home, makeHome, runCli, sleep, startDaemon } from './harness.js';

const homes: Home[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) home.cleanup();
});

function home(config?: string): Home {
  const h = makeHome(config);
  homes.push(h);
  mkdirSync(join(h.dir, 'state'), { recursive: true, mode: 0o700 });
  return h;
}

/** A log written with a fixed clock and ids: one of each kind of row the daemon writes. */
function writeKnownLog(path: string, start: string): AuditWriter {
  let ms = Date.parse(start);
  let id = 0;
  const writer = AuditWriter.open(path, {
    now: () => {
      ms += 1000;
      return new Date(ms);
    },
    randomUUID: () => `00000000-0000-4000-8000-${String(++id).padStart(12, '0')}`,
  });
  writer.append(
    event({
      action: 'identify',
      resource: null,
      credentialFingerprint: null,
      expiresAt: null,
      policyIds: [],
    }),
  );
  writer.append(event());
  writer.append(
    event({
      decision: 'deny',
      agent: 'cursor',
      resource: 'prod-aws',
      action: 'aws',
      reason: 'no policy permits Agent::"cursor" to use Credential::"prod-aws"',
      errorCode: 'ERR_POLICY_DENIED',
      policyIds: [],
      credentialFingerprint: null,
      expiresAt: null,
    }),
  );
  writer.append(
    event({
      action: 'refuse',
      decision: 'deny',
      agent: 'unknown',
      human: null,
      resource: '/v1/whoami',
      peer: { pid: 31337, uid: 1001, gid: 1001, exe: '/usr/bin/curl' },
      attestation: null,
      policyIds: [],
      reason: 'refused: the caller runs as uid 1001, this daemon serves only uid 1000',
      credentialFingerprint: null,
      expiresAt: null,
      errorCode: 'ERR_PEER_UID',
    }),
  );
  writer.append(
    event({ action: 'secret.set', resource: 'github-token', credentialFingerprint: null, expiresAt: null }),
  );
  return writer;
}

describe('agentid audit export', () => {
  for (const format of ['ocsf', 'jsonl'] as const) {
    it(`prints a known log as the golden ${format} lines`, async () => {
      const h = home();
      writeKnownLog(h.auditDb, '2025-06-01T12:00:00.000Z').close();
      const result = await runCli(h, ['audit', 'export', '--format', format]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const goldenPath = `test/fixtures/audit-export.${format}.jsonl`;
      // UPDATE_GOLDEN=1 rewrites the file after a deliberate change of the export; review its diff.
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(goldenPath, result.stdout);
      expect(result.stdout).toBe(readFileSync(goldenPath, 'utf8'));
    });
  }

  it('exports only the rows since --since', async () => {
    const h = home();
    writeKnownLog(h.auditDb, '2025-06-01T12:00:00.000Z').close();
    const result = await runCli(h, [
      'audit',
      'export',
      '--format',
      'jsonl',
      '--since',
      '2025-06-01T12:00:04Z',
    ]);
    expect(
      result.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).seq),
    ).toEqual([4, 5]);
  });

  it('refuses an unknown format with exit 2', async () => {
    const h = home();
    writeKnownLog(h.auditDb, '2025-06-01T12:00:00.000Z').close();
    const result = await runCli(h, ['audit', 'export', '--format', 'csv']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--format must be one of ocsf, jsonl (ERR_USAGE)');
  });
});

describe('audit retention', () => {
  it('prunes at daemon start to [audit] retain_days, and verify passes from the anchor', async () => {
    const h = home('[audit]\nretain_days = 2\n');
    const now = Date.now();
    // Five rows three days old, then five from the last hour.
    const old = writeKnownLog(h.auditDb, new Date(now - 3 * 86_400_000).toISOString());
    old.close();
    const recent = writeKnownLog(h.auditDb, new Date(now - 3_600_000).toISOString());
    recent.close();

    const daemon = await startDaemon(h);
    try {
      expect(daemon.log()).toMatch(
        /audit retention \(2 days\): pruned 5 rows; the chain now starts at seq 6/,
      );
      const verify = await runCli(h, ['audit', 'verify']);
      // The five recent rows and the daemon's own policy load.
      expect(verify.stdout).toMatch(
        /^audit log verified from anchor at seq 6 \(5 older rows pruned .*\): 6 rows/,
      );
      expect(verify.code).toBe(0);

      const prune = await runCli(h, ['audit', 'prune', '--json']);
      expect(prune.code).toBe(0);
      expect(JSON.parse(prune.stdout)).toEqual({ retainDays: 2, pruned: 0, anchor: null });
      const rows = await runCli(h, ['audit', '--json', '--action', 'audit.prune']);
      expect(JSON.parse(rows.stdout)).toMatchObject({
        decision: 'allow',
        reason: 'retain_days 2: pruned 0 rows',
      });

      const after = await runCli(h, ['audit', 'verify', '--json']);
      expect(JSON.parse(after.stdout)).toMatchObject({
        ok: true,
        rows: 7,
        anchor: { seq: 6, prunedRows: 5 },
      });
    } finally {
      await daemon.stop();
    }
  });

  it('keeps every row under the default 90 days', async () => {
    const h = home();
    writeKnownLog(h.auditDb, new Date(Date.now() - 30 * 86_400_000).toISOString()).close();
    const daemon = await startDaemon(h);
    try {
      const result = await runCli(h, ['audit', 'prune']);
      expect(result.stdout).toBe('nothing to prune: no audit events older than 90 days\n');
      // Five known rows, the policy load at start, the prune.
      expect((await runCli(h, ['audit', 'verify'])).stdout).toMatch(/^audit log verified: 7 rows/);
    } finally {
      await daemon.stop();
    }
  });
});

describe('agentid audit --follow (not a terminal)', () => {
  it('streams rows as JSON lines as the daemon commits them, and ends cleanly on SIGTERM', async () => {
    const h = home();
    const daemon = await startDaemon(h);
    const follower = spawn(process.execPath, [cliPath, 'audit', '--follow', '--action', 'identify'], {
      env: h.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    follower.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((r) => follower.once('exit', (code) => r(code)));
    try {
      await sleep(500);
      expect(out).toBe('');
      expect((await api(h.socket, 'GET', '/v1/whoami')).status).toBe(200);
      const deadline = Date.now() + 5_000;
      while (!out.includes('\n') && Date.now() < deadline) await sleep(25);
      const row = JSON.parse(out.split('\n')[0] ?? '');
      expect(row).toMatchObject({ action: 'identify', decision: 'allow' });
      follower.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      follower.kill('SIGKILL');
      await daemon.stop();
    }
  });
});
