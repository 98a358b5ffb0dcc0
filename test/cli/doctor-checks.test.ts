/** Table tests of `agentid doctor`'s verdicts and fixes: every check, passing and failing. */
import { describe, expect, it } from 'vitest';
import {
  checkAuditShip,
  checkAws,
  checkClockSkew,
  checkConfig,
  checkGit,
  checkIdp,
  checkKeychain,
  checkMcp,
  checkNode,
  checkPath,
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
    config: {
      file: '/c.toml',
      sha256: 'a'.repeat(64),
      loadedAt: '2026-01-01T00:00:00.000Z',
      lastError: null,
      restartNeeded: [],
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

  it('node 20 passes with its end of life said', () => {
    expect(checkNode('20.19.0').detail).toContain('end of life');
    expect(checkNode('24.1.0').detail).toBe('node 24.1.0');
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

  it('config: invalid in the file, refused by the daemon, or waiting for a restart fails, each with its fix', () => {
    expect(checkConfig('/c.toml', null, status()).status).toBe('pass');
    expect(checkConfig('/c.toml', null, null).status).toBe('pass');
    const invalid = checkConfig('/c.toml', { code: 'ERR_CONFIG_INVALID', message: 'bad' }, status());
    expect(invalid).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('keeps running the last good one'),
    });
    const refused = status();
    refused.config = { ...refused.config, lastError: { at: 'now', sha256: null, message: 'line 2: bad' } };
    expect(checkConfig('/c.toml', null, refused).detail).toContain('refused the last edit: line 2: bad');
    const pending = status();
    pending.config = { ...pending.config, restartNeeded: ['daemon.max_connections', 'idp'] };
    expect(checkConfig('/c.toml', null, pending)).toMatchObject({
      status: 'fail',
      detail: 'changed keys apply only after a daemon restart: daemon.max_connections, idp',
      fix: 'agentid daemon stop && agentid daemon start',
    });
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
  const ran = (...list: [string, number, string?][]) =>
    new Map(list.map(([command, code, output = '']) => [command, { command, code, output }]));
  const helper = `!/usr/bin/node ${SCRIPT} git-credential`;
  const helperProbe = `/usr/bin/node ${SCRIPT} git-credential erase </dev/null`;
  const bareProbe = 'git credential-agentid erase </dev/null';

  it('git: each host needs agentid after the last reset, and the helper must run', () => {
    const good = [
      { key: 'credential.https://github.com.helper', value: '' },
      { key: 'credential.https://github.com.helper', value: helper },
      { key: 'credential.http://git.example.com:8443.helper', value: 'agentid' },
    ];
    const runs = ran([helperProbe, 0], [bareProbe, 0]);
    expect(checkGit(hosts, good, runs)).toMatchObject({
      status: 'pass',
      detail: 'github.com (https), git.example.com:8443 (http)',
    });
    // Reset after ours: git no longer runs it.
    const reset = [...good, { key: 'credential.https://github.com.helper', value: '' }];
    expect(checkGit(hosts, reset, runs)).toMatchObject({
      status: 'fail',
      fix: 'agentid setup git --host github.com --credential gh',
    });
    const other = [{ key: 'credential.https://github.com.helper', value: '!gh auth git-credential' }];
    expect(checkGit(hosts.slice(0, 1), other, runs).status).toBe('fail');
    expect(checkGit([], [], runs).status).toBe('skip');
    expect(checkGit(hosts, { error: 'git is not installed' }, runs).status).toBe('fail');
  });

  it('git: a helper that mentions agentid but does not run fails, with the setup that rewrites it', () => {
    const entries = [
      { key: 'credential.https://github.com.helper', value: helper },
      { key: 'credential.http://git.example.com:8443.helper', value: 'agentid' },
    ];
    const result = checkGit(
      hosts,
      entries,
      ran([helperProbe, 0], [bareProbe, 1, "git: 'credential-agentid' is not a git command"]),
    );
    expect(result).toMatchObject({
      status: 'fail',
      fix: 'agentid setup git --host http://git.example.com:8443 --credential pw (writes the current paths)',
    });
    expect(result.detail).toContain('is not a git command');
  });

  const awsText = (command: string, region = 'region = us-east-1\n') =>
    `[profile dev]\n${region}credential_process = ${command}\n`;
  const absolute = `/usr/bin/node ${SCRIPT} aws credential-process dev`;

  it('aws: each aws credential needs a credential_process profile that runs and has a region', () => {
    const runs = ran(
      [`/usr/bin/node ${SCRIPT} --version`, 0, '0.1.0'],
      ['agentid --version', 127, 'sh: 1: agentid: not found'],
    );
    expect(checkAws(['dev'], '~/.aws/config', awsText(absolute), runs)).toMatchObject({
      status: 'pass',
      detail: '~/.aws/config: dev → dev',
    });
    expect(checkAws(['dev', 'prod'], '~/.aws/config', awsText(absolute), runs)).toMatchObject({
      status: 'fail',
      fix: 'agentid setup aws --profile prod --credential prod',
    });
    // What issue #19 found: a bare `agentid` that the AWS CLI cannot find.
    const bare = checkAws(['dev'], '~/.aws/config', awsText('agentid aws credential-process dev'), runs);
    expect(bare).toMatchObject({ status: 'fail', fix: 'agentid setup aws --profile dev --credential dev' });
    expect(bare.detail).toContain('agentid: not found');
    expect(checkAws(['dev'], '~/.aws/config', awsText(absolute, ''), runs).detail).toContain('no region');
    expect(checkAws(['dev'], '~/.aws/config', null, runs).detail).toContain('does not exist');
    expect(checkAws([], '~/.aws/config', null, runs).status).toBe('skip');
  });

  it('path: a bare agentid must exist, run and be this version', () => {
    const fix = `/usr/bin/node ${SCRIPT} install-shim`;
    const probe = '/home/u/.local/bin/agentid --version';
    expect(checkPath(null, undefined, '0.1.0', fix)).toMatchObject({ status: 'fail', fix });
    expect(
      checkPath('/home/u/.local/bin/agentid', ran([probe, 0, 'agentid 0.1.0']).get(probe), '0.1.0', fix)
        .status,
    ).toBe('pass');
    expect(
      checkPath('/home/u/.local/bin/agentid', ran([probe, 0, '0.1.0']).get(probe), '0.1.0', fix).status,
    ).toBe('pass');
    expect(checkPath('/x/agentid', ran([probe, 0, '0.0.9']).get(probe), '0.1.0', fix)).toMatchObject({
      status: 'fail',
      fix: `${fix} --force`,
    });
    expect(checkPath('/x/agentid', ran([probe, 127]).get(probe), '0.1.0', fix).status).toBe('fail');
  });

  it('mcp: skipped without entries; an entry whose launcher does not start agentid fails', () => {
    expect(checkMcp([], ran()).status).toBe('skip');
    const entries = [{ file: '.mcp.json', name: 'fs', probe: 'node x --version' }];
    expect(checkMcp(entries, ran(['node x --version', 0, '0.1.0'])).status).toBe('pass');
    expect(checkMcp(entries, ran(['node x --version', 1, 'Cannot find module'])).detail).toContain(
      'Cannot find module',
    );
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
