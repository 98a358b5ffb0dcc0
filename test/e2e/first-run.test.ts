/**
 * The first-run commands end to end: `agentid doctor` against a machine in good and bad states
 * (daemon down, keychain missing, IdP clock skew, git and AWS not pointing at agentid, then
 * fixed with `setup`), `agentid daemon install` and `agentid completion`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../cli/doctor/checks.js';
import { type OidcPeer, startOidcProvider } from '../peers/oidc-provider.js';
import { cliPath, collect, type Home, makeHome, runCli } from './harness.js';

async function doctor(home: Home, env: NodeJS.ProcessEnv = {}) {
  const result = await runCli(home, ['doctor', '--json'], { env });
  const report = JSON.parse(result.stdout) as { ok: boolean; checks: CheckResult[] };
  return { code: result.code, report, by: (id: string) => report.checks.find((c) => c.id === id) };
}

/** A discovery document served with a Date header two hours behind. */
async function skewedIdp(): Promise<{ issuer: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.setHeader('date', new Date(Date.now() - 2 * 3600_000).toUTCString());
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ issuer }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issuer, server };
}

describe('agentid doctor', () => {
  let home: Home;
  let peer: OidcPeer | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    await runCli(home, ['daemon', 'stop']);
    await peer?.close();
    server?.close();
    peer = undefined;
    server = undefined;
    home.cleanup();
  });

  it('with no daemon: fails that check with the fix, skips what needs it, and starts nothing', async () => {
    home = makeHome();
    const { code, report, by } = await doctor(home);
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(by('daemon')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('agentid daemon start'),
    });
    expect(by('keychain')?.status).toBe('skip');
    expect(by('node')?.status).toBe('pass');
    expect(existsSync(home.socket)).toBe(false);
  });

  it('flags a socket dir others can reach, a missing keychain and a broken config', async () => {
    home = makeHome();
    // The daemon runs without a keychain: its signing key can only live in memory.
    const env = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
    expect((await runCli(home, ['daemon', 'start'], { env })).code).toBe(0);
    const before = await doctor(home, env);
    expect(before.by('keychain')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('backend = "file"'),
    });
    const { chmodSync } = await import('node:fs');
    chmodSync(join(home.dir, 'run'), 0o755);
    writeFileSync(join(home.dir, 'config.toml'), '[daemon]\nmax_connections = "many"\n');
    const after = await doctor(home, env);
    expect(after.by('socket-dir')).toMatchObject({
      status: 'fail',
      fix: `chmod 700 ${join(home.dir, 'run')}`,
    });
    expect(after.by('config')?.detail).toContain('ERR_CONFIG_INVALID');
    chmodSync(join(home.dir, 'run'), 0o700);
  });

  it('passes on a set-up machine, after `setup git` and `setup aws` fix what it flagged', async () => {
    peer = await startOidcProvider();
    home = makeHome(
      `[secrets]\nbackend = "file"\n\n[idp]\nissuer = "${peer.issuer}"\nclient_id = "agentid-test"\n\n` +
        '[credentials.pw]\ntype = "static"\nsecret = "pw"\nhost = "git.example.com"\nusername = "bot"\n\n' +
        '[credentials.dev]\ntype = "aws"\nsource = "assume-role"\nrole_arn = "arn:aws:iam::123456789012:role/a"\nregion = "us-east-1"\n',
    );
    const env = {
      GIT_CONFIG_GLOBAL: join(home.dir, 'gitconfig'),
      GIT_CONFIG_NOSYSTEM: '1',
      AWS_CONFIG_FILE: join(home.dir, 'aws-config'),
      HOME: home.dir,
      // A login PATH with ~/.local/bin, but no agentid on it yet.
      PATH: [
        join(home.dir, '.local', 'bin'),
        ...(process.env.PATH ?? '').split(':').filter((d) => !existsSync(join(d, 'agentid'))),
      ].join(':'),
    };
    writeFileSync(env.GIT_CONFIG_GLOBAL, '');
    expect((await runCli(home, ['daemon', 'start'], { env })).code).toBe(0);
    const before = await doctor(home, env);
    expect(before.by('git')).toMatchObject({
      status: 'fail',
      fix: 'agentid setup git --host git.example.com --credential pw',
    });
    expect(before.by('aws')).toMatchObject({
      status: 'fail',
      fix: 'agentid setup aws --profile dev --credential dev',
    });
    expect(before.by('path')).toMatchObject({
      status: 'fail',
      detail: 'no agentid on PATH',
      fix: `${process.execPath} ${cliPath} install-shim`,
    });
    expect((await runCli(home, ['install-shim'], { env })).code).toBe(0);

    expect(
      (await runCli(home, ['setup', 'git', '--host', 'git.example.com', '--credential', 'pw'], { env })).code,
    ).toBe(0);
    expect(
      (await runCli(home, ['setup', 'aws', '--profile', 'dev', '--credential', 'dev'], { env })).code,
    ).toBe(0);
    const after = await doctor(home, env);
    expect(after.report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(after.code).toBe(0);
    expect(after.by('idp')?.status).toBe('pass');
    expect(after.by('clock')?.status).toBe('pass');
    expect(after.by('keychain')?.status).toBe('pass');
    expect(after.by('policy')?.status).toBe('pass');
    expect(after.by('path')).toMatchObject({
      status: 'pass',
      detail: join(home.dir, '.local', 'bin', 'agentid'),
    });
    expect(after.by('git')?.status).toBe('pass');
    expect(after.by('aws')?.status).toBe('pass');

    // What each setup wrote must still run: a moved clone breaks all of them, and doctor says so.
    // git and AWS run the thin sh helpers, whose Node fallback tries the clone, then the shim.
    for (const file of [
      join(home.dir, 'bin', 'git-credential-agentid'),
      join(home.dir, 'bin', 'aws-credential-process'),
      join(home.dir, '.local', 'bin', 'agentid'),
      join(home.dir, '.local', 'bin', 'git-credential-agentid'),
    ]) {
      const text = readFileSync(file, 'utf8');
      expect(text).toContain(cliPath);
      writeFileSync(file, text.replaceAll(cliPath, '/gone/dist/cli/main.js'));
    }
    const broken = await doctor(home, env);
    expect(broken.by('aws')).toMatchObject({
      status: 'fail',
      fix: 'agentid setup aws --profile dev --credential dev',
    });
    expect(broken.by('aws')?.detail).toContain('does not run');
    expect(broken.by('git')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('agentid setup git --host git.example.com --credential pw'),
    });
    expect(broken.by('path')?.status).toBe('fail');
    await runCli(home, ['setup', 'aws', '--profile', 'dev', '--credential', 'dev'], { env });
    await runCli(home, ['setup', 'git', '--host', 'git.example.com', '--credential', 'pw'], { env });
    await runCli(home, ['install-shim'], { env });
    const fixed = await doctor(home, env);
    expect(fixed.report.checks.filter((c) => c.status === 'fail')).toEqual([]);

    const text = await runCli(home, ['doctor'], { env });
    expect(text.stdout).toMatch(/^ok +Node\.js version/m);
    expect(text.stdout).toContain('all checks passed');
    // A dozen CLI runs and five doctors, each running what it checks: beyond 30 s on a busy machine.
  }, 120_000);

  it('reports clock skew against the IdP and an IdP that does not answer', async () => {
    const skewed = await skewedIdp();
    server = skewed.server;
    home = makeHome(`[idp]\nissuer = "${skewed.issuer}"\nclient_id = "x"\ntimeout_ms = 500\n`);
    const { by } = await doctor(home);
    expect(by('idp')?.status).toBe('pass');
    expect(by('clock')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/720[01] s ahead of/),
    });
    server.close();
    server.closeAllConnections();
    const down = await doctor(home);
    expect(down.by('idp')?.status).toBe('fail');
    expect(down.by('clock')?.status).toBe('skip');
  });
});

describe('agentid doctor and setup mcp', () => {
  it('runs the launcher of each MCP client entry in this directory, and fails one that no longer starts agentid', async () => {
    const home = makeHome();
    const project = join(home.dir, 'project');
    const inProject = (args: string[]) =>
      collect(
        spawn(process.execPath, [cliPath, ...args], {
          cwd: project,
          env: { ...home.env, AGENTID_NO_AUTOSTART: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
    try {
      mkdirSync(project);
      const doctorMcp = async () =>
        (JSON.parse((await inProject(['doctor', '--json'])).stdout) as { checks: CheckResult[] }).checks.find(
          (c) => c.id === 'mcp',
        );
      expect((await doctorMcp())?.status).toBe('skip');
      const setup = await inProject([
        'setup',
        'mcp',
        '--client',
        'claude',
        '--server',
        'fs',
        '--write',
        '--',
        'mcp-fs',
        '.',
      ]);
      expect(setup.code, setup.stderr).toBe(0);
      expect(await doctorMcp()).toMatchObject({ status: 'pass', detail: '.mcp.json: fs' });
      const file = join(project, '.mcp.json');
      writeFileSync(file, readFileSync(file, 'utf8').replace(cliPath, '/gone/dist/cli/main.js'));
      expect(await doctorMcp()).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('.mcp.json: fs does not start agentid'),
      });
    } finally {
      home.cleanup();
    }
  });
});

describe('agentid daemon install', () => {
  let home: Home;
  afterEach(() => home.cleanup());

  it('writes the systemd user unit under XDG_CONFIG_HOME, prints how to enable it, never overwrites', async () => {
    home = makeHome();
    const env = { XDG_CONFIG_HOME: join(home.dir, 'xdg') };
    const unit = join(home.dir, 'xdg', 'systemd', 'user', 'agentid.service');
    const printed = await runCli(home, ['daemon', 'install', '--print'], { env });
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(`ExecStart=${process.execPath} ${cliPath} daemon run`);
    expect(printed.stdout).toContain(`Environment=AGENTID_HOME=${home.dir}`);
    expect(existsSync(unit)).toBe(false);

    const wrote = await runCli(home, ['daemon', 'install'], { env });
    expect(wrote.code).toBe(0);
    expect(wrote.stdout).toContain(`wrote ${unit}`);
    expect(wrote.stdout).toContain('systemctl --user enable --now agentid.service');
    expect(readFileSync(unit, 'utf8')).toBe(`${printed.stdout.split('\n').slice(1, -4).join('\n')}\n`);
    expect(statSync(unit).mode & 0o777).toBe(0o644);

    writeFileSync(unit, '# edited by hand\n');
    const refused = await runCli(home, ['daemon', 'install'], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('ERR_SERVICE_EXISTS');
    expect(readFileSync(unit, 'utf8')).toBe('# edited by hand\n');
    const forced = await runCli(home, ['daemon', 'install', '--force', '--json'], { env });
    expect(JSON.parse(forced.stdout)).toMatchObject({ kind: 'systemd', path: unit, action: 'replaced' });
    expect(readFileSync(unit, 'utf8')).toContain('ExecStart=');
  });
});

describe('agentid completion', () => {
  let home: Home;
  afterEach(() => home.cleanup());

  it('prints a script per shell and refuses an unknown shell with exit 2', async () => {
    home = makeHome();
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await runCli(home, ['completion', shell]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('doctor');
    }
    const bad = await runCli(home, ['completion', 'tcsh']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('ERR_USAGE');
  });
});
