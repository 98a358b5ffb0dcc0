/** Table tests of `agentid doctor`'s verdicts and fixes: every check, passing and failing. */
import { describe, expect, it } from 'vitest';
import {
  checkAuditShip,
  checkAws,
  checkClockSkew,
  checkGit,
  checkIdp,
  checkKeychain,
  checkNode,
  checkPolicy,
  checkSocketDir,
} from '../../cli/doctor/checks.js';
import type { ShipStatusView, StatusResponse } from '../../src/protocol/index.js';

const SCRIPT = '/opt/agentid/dist/cli/main.js';

function status(overrides: Partial<StatusResponse> = {}): StatusResponse {
  return {
    version: '0.1.0',
    pid: 1,
    uid: 1000,
    startedAt: '2026-01-01T00:00:00.000Z',
    uptimeMs: 1,
    socket: '/run/s',
    auditDb: '/a.db',
    connections: 1,
    secrets: { backend: 'keychain', warning: null },
    signingKey: 'secret-store',
    policy: {
      source: 'default',
      dir: '/p',
      files: [],
      policyCount: 1,
      loadedAt: '2026-01-01T00:00:00.000Z',
      lastError: null,
    },
    auditShip: [],
    policyGit: null,
    ...overrides,
  };
}

describe('doctor checks', () => {
  it.each([
    ['20.18.0', 'pass'],
    ['v20.20.2', 'pass'],
    ['22.1.0', 'pass'],
    ['20.17.9', 'fail'],
    ['18.19.0', 'fail'],
  ])('node %s: %s', (version, verdict) => {
    expect(checkNode(version).status).toBe(verdict);
  });

  it('node that cannot run fails with the install fix', () => {
    expect(checkNode(null)).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('install Node.js'),
    });
  });

  it.each([
    [null, 'pass', null],
    [{ isDirectory: true, uid: 1000, mode: 0o40700 }, 'pass', null],
    [{ isDirectory: true, uid: 1000, mode: 0o40755 }, 'fail', 'chmod 700 /run/agentid'],
    [{ isDirectory: true, uid: 0, mode: 0o40700 }, 'fail', 'remove /run/agentid, or set AGENTID_HOME'],
    [{ isDirectory: false, uid: 1000, mode: 0o100600 }, 'fail', 'remove /run/agentid'],
  ])('socket dir %o: %s', (stat, verdict, fix) => {
    const result = checkSocketDir({ path: '/run/agentid', stat }, 1000);
    expect(result.status).toBe(verdict);
    if (fix) expect(result.fix).toContain(fix);
  });

  it('keychain: secret-store passes, memory fails naming both fixes, no daemon skips', () => {
    expect(checkKeychain(status()).status).toBe('pass');
    const memory = checkKeychain(status({ signingKey: 'memory' }));
    expect(memory.status).toBe('fail');
    expect(memory.fix).toMatch(/unlock your keychain/);
    expect(memory.fix).toContain('backend = "file"');
    expect(checkKeychain(null).status).toBe('skip');
  });

  it('policy: a failed reload or no set fails with `agentid policy check`', () => {
    expect(checkPolicy(status()).status).toBe('pass');
    const broken = status();
    broken.policy = {
      ...broken.policy,
      lastError: { at: 'now', message: 'p.cedar:1:1: unexpected token', diagnostics: [] },
    };
    expect(checkPolicy(broken)).toMatchObject({ status: 'fail', fix: 'agentid policy check --dir /p' });
    const none = status();
    none.policy = { ...none.policy, loadedAt: null };
    expect(checkPolicy(none).status).toBe('fail');
  });

  it('idp: skipped without [idp]; unreachable and wrong issuer fail', () => {
    expect(checkIdp(null, null).status).toBe('skip');
    expect(checkIdp('https://i', { ok: true, issuer: 'https://i', date: null }).status).toBe('pass');
    expect(checkIdp('https://i', { ok: false, error: 'no answer within 10 ms' })).toMatchObject({
      status: 'fail',
      detail: 'https://i/.well-known/openid-configuration: no answer within 10 ms',
    });
    expect(checkIdp('https://i', { ok: true, issuer: 'https://j', date: null })).toMatchObject({
      status: 'fail',
      fix: 'set [idp] issuer = "https://j" in config.toml',
    });
  });

  it.each([
    [0, 'pass'],
    [59_000, 'pass'],
    [-59_000, 'pass'],
    [61_000, 'fail'],
    [-3_600_000, 'fail'],
  ])('clock %d ms off: %s', (offset, verdict) => {
    const idp = new Date('2026-03-01T12:00:00Z');
    const now = new Date(idp.getTime() + offset);
    const result = checkClockSkew({ ok: true, issuer: 'x', date: idp.toUTCString() }, now);
    expect(result.status).toBe(verdict);
    if (verdict === 'fail') expect(result.detail).toContain(offset > 0 ? 'ahead of' : 'behind');
  });

  it('clock skew is skipped without a Date header or an IdP', () => {
    expect(checkClockSkew(null, new Date()).status).toBe('skip');
    expect(checkClockSkew({ ok: true, issuer: 'x', date: null }, new Date()).status).toBe('skip');
  });

  const hosts = [
    { credential: 'gh', host: 'github.com' },
    { credential: 'pw', host: 'git.example.com:8443' },
  ];
  it('git: each host needs agentid after the last reset', () => {
    const helper = `!/usr/bin/node ${SCRIPT} git-credential`;
    const good = [
      { key: 'credential.https://github.com.helper', value: '' },
      { key: 'credential.https://github.com.helper', value: helper },
      { key: 'credential.https://git.example.com:8443.helper', value: 'agentid' },
    ];
    expect(checkGit(hosts, good, SCRIPT).status).toBe('pass');
    // Reset after ours: git no longer runs it.
    const reset = [...good, { key: 'credential.https://github.com.helper', value: '' }];
    const result = checkGit(hosts, reset, SCRIPT);
    expect(result).toMatchObject({
      status: 'fail',
      fix: 'agentid setup git --host github.com --credential gh',
    });
    const other = [{ key: 'credential.https://github.com.helper', value: '!gh auth git-credential' }];
    expect(checkGit(hosts.slice(0, 1), other, SCRIPT).status).toBe('fail');
    expect(checkGit([], [], SCRIPT).status).toBe('skip');
    expect(checkGit(hosts, { error: 'git is not installed' }, SCRIPT).status).toBe('fail');
  });

  it('aws: each aws credential needs a credential_process profile', () => {
    const text =
      '[profile dev]\nregion = us-east-1\ncredential_process = agentid aws credential-process dev\n';
    expect(checkAws(['dev'], '~/.aws/config', text).status).toBe('pass');
    expect(checkAws(['dev', 'prod'], '~/.aws/config', text)).toMatchObject({
      status: 'fail',
      fix: 'agentid setup aws --profile prod --credential prod',
    });
    expect(checkAws(['dev'], '~/.aws/config', null).detail).toContain('does not exist');
    expect(checkAws([], '~/.aws/config', null).status).toBe('skip');
  });

  it('audit shipping: cursor, lag and last error in the detail; fails while retrying or after a gap', () => {
    const sink: ShipStatusView = {
      sink: 'syslog',
      target: 'tcp://127.0.0.1:5514',
      state: 'idle',
      cursor: 120,
      headSeq: 120,
      lagRows: 0,
      oldestPending: null,
      shipped: 120,
      lastDeliveryAt: '2026-01-01T00:00:01.000Z',
      lastError: null,
      gap: null,
      retryAt: null,
    };
    expect(checkAuditShip(null).status).toBe('skip');
    expect(checkAuditShip(status()).detail).toBe('no [audit.ship] configured');
    expect(checkAuditShip(status({ auditShip: [sink] }))).toMatchObject({
      status: 'pass',
      detail: 'syslog tcp://127.0.0.1:5514: idle, cursor 120, lag 0 rows',
    });
    const down: ShipStatusView = {
      ...sink,
      state: 'retrying',
      lagRows: 7,
      oldestPending: '2026-01-01T00:00:02.000Z',
      lastError: {
        code: 'ERR_AUDIT_SHIP_UNAVAILABLE',
        message: 'connect ECONNREFUSED',
        at: '2026-01-01T00:00:03.000Z',
      },
      retryAt: '2026-01-01T00:00:04.000Z',
    };
    const file: ShipStatusView = { ...sink, sink: 'file', target: '/var/log/a.jsonl' };
    expect(checkAuditShip(status({ auditShip: [down, file] }))).toEqual({
      id: 'audit-ship',
      title: 'audit shipping',
      status: 'fail',
      detail:
        'syslog tcp://127.0.0.1:5514: retrying, cursor 120, lag 7 rows since 2026-01-01T00:00:02.000Z; ' +
        'last error 2026-01-01T00:00:03.000Z: connect ECONNREFUSED (ERR_AUDIT_SHIP_UNAVAILABLE); ' +
        'next try 2026-01-01T00:00:04.000Z | file /var/log/a.jsonl: idle, cursor 120, lag 0 rows',
      fix: 'make tcp://127.0.0.1:5514 reachable (is the collector running? is the URL in [audit.ship] right?)',
    });
    const gap = { from: 4, to: 8, reason: 'pruned' as const, at: '2026-01-01T00:00:05.000Z' };
    const gapped = checkAuditShip(status({ auditShip: [{ ...sink, gap: { ...gap, sinceStart: true } }] }));
    expect(gapped.status).toBe('fail');
    expect(gapped.detail).toContain(
      'rows 4..8 were pruned by retention before they were shipped (ERR_AUDIT_SHIP_GAP)',
    );
    expect(gapped.fix).toContain('raise [audit] retain_days');
    // A gap from before this daemon started is shown, but no longer fails the check.
    const old = checkAuditShip(status({ auditShip: [{ ...sink, gap: { ...gap, sinceStart: false } }] }));
    expect(old.status).toBe('pass');
    expect(old.detail).toContain('gap 2026-01-01T00:00:05.000Z');
  });
});
