/**
 * git's credential helper protocol and the client's security checks, the same tests against every
 * helper (test/e2e/credential-helpers.ts: the two Node entry points, the thin sh helper under dash
 * and bash), with the real daemon: a served host answers exactly, a host not ours gets silence, a
 * deny answers quit=1 with the reason on stderr, input is bounded, usage errors exit 2, the real
 * `git credential fill` works through each; with no daemon, a crashed daemon's socket, or a socket
 * directory that is not ours and private (another uid listening there gets nothing: exit 5).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installThinHelper } from '../../cli/thin-helpers.js';
import { gitHelpers, installThinHelpers, runHelper, which } from './credential-helpers.js';
import { type Home, makeHome, runCli, sleep, startDaemon, useDaemon } from './harness.js';
import { isRoot, startImpostor } from './impostor.js';

const SECRET = `s3cr"et\\ pw-${Date.now()}`;
const CONFIG = `[secrets]
backend = "file"

[credentials.pw]
type = "static"
secret = "pw-secret"
host = "git.example:8443"
username = "bot"

[credentials.blocked]
type = "static"
secret = "pw-secret"
host = "blocked.example"
username = "bot"
`;
const served = 'protocol=https\nhost=git.example:8443\npath=acme/widgets.git\n\n';
const EXPIRY = /^password_expiry_utc=\d{10}$/;

function prepare(home: Home): void {
  mkdirSync(join(home.dir, 'policy'));
  writeFileSync(
    join(home.dir, 'policy', 'git.cedar'),
    'permit(principal, action == Action::"git", resource == Credential::"pw");\n',
  );
  installThinHelpers(home);
}

describe.each(gitHelpers)('git credential helper: $name', (helper) => {
  const t = useDaemon(CONFIG, prepare);
  beforeAll(async () => {
    expect((await runCli(t.home, ['secret', 'set', 'pw-secret'], { input: SECRET })).code).toBe(0);
  });
  const run = (args: string[], input = '', env: NodeJS.ProcessEnv = {}) =>
    runHelper(helper.argv(t.home, args), { ...t.home.env, ...env }, input);

  it('answers get for a served host with the exact secret and its expiry', async () => {
    for (const args of [['get'], ['--credential', 'pw', 'get']]) {
      const r = await run(args, served);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const [user, password, expiry, end] = r.stdout.split('\n');
      expect([user, password, end]).toEqual(['username=bot', `password=${SECRET}`, '']);
      expect(expiry).toMatch(EXPIRY);
    }
  });

  it('answers with a pre-encoded Basic credential when git announces the authtype capability', async () => {
    const r = await run(['get'], `capability[]=authtype\n${served}`);
    expect(r.code, r.stderr).toBe(0);
    const basic = Buffer.from(`bot:${SECRET}`).toString('base64');
    expect(r.stdout).toMatch(
      new RegExp(
        `^capability\\[\\]=authtype\\nauthtype=Basic\\ncredential=${basic.replace(/[+/=]/g, '\\$&')}\\nephemeral=1\\npassword_expiry_utc=\\d{10}\\n$`,
      ),
    );
  });

  it.each([
    ['a host not ours', 'protocol=https\nhost=other.example\n\n'],
    ['no host', 'protocol=https\n\n'],
    ['no protocol', 'host=git.example:8443\n\n'],
    ['a protocol we do not serve', 'protocol=ssh\nhost=git.example:8443\n\n'],
  ])('stays silent for %s, so git asks the next helper', async (_case, input) => {
    const r = await run(['get'], input);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('answers quit=1 on a deny, with the reason on stderr', async () => {
    const r = await run(['get'], 'protocol=https\nhost=blocked.example\n\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('quit=1\n');
    expect(r.stderr).toMatch(/^agentid: denied by policy.*\(ERR_POLICY_DENIED\)\n$/);
  });

  it('answers quit=1 when its --credential does not serve the host, naming the hosts it does', async () => {
    const r = await run(['--credential', 'pw', 'get'], 'protocol=https\nhost=other.example\n\n');
    expect(r.stdout).toBe('quit=1\n');
    expect(r.stderr).toContain('its hosts: git.example:8443');
    expect(r.stderr).toContain('(ERR_CREDENTIAL_TYPE)');
  });

  it.each(['store', 'erase', 'some-future-op'])('does nothing for %s', async (op) => {
    const r = await run([op], `${served}username=x\npassword=y\n`);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it.each([
    ['a line that is not key=value', 'protocol=https\nnot-a-pair\n\n', /a line is not key=value/],
    [
      'a line over 16 KiB',
      `protocol=https\nhost=${'h'.repeat(20_000)}\n\n`,
      /a line is longer than 16384 bytes/,
    ],
    ['1 MiB without an end', 'a'.repeat(1024 * 1024), /the input is larger than 65536 bytes/],
  ])('refuses %s with exit 2 and no answer', async (_case, input, reason) => {
    const r = await run(['get'], input);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(reason);
    expect(r.stderr).toContain('(ERR_GIT_INPUT_INVALID)');
  });

  it.each([[[]], [['--credential']], [['get', 'extra']]])('exits 2 with usage for %j', async (args) => {
    const r = await run(args, served);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('usage: git-credential-agentid');
  });

  it('prints usage for --help, exit 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('usage: git-credential-agentid');
  });

  it('serves the real `git credential fill`, and makes git stop on a deny', async () => {
    const gitconfig = join(t.home.dir, `gitconfig-${helper.thin ? 'thin' : 'node'}`);
    const command = helper
      .argv(t.home, [])
      .map((w) => `'${w}'`)
      .join(' ');
    writeFileSync(gitconfig, `[credential]\n\thelper = !${command}\n\tuseHttpPath = true\n`);
    const gitEnv = {
      ...t.home.env,
      GIT_CONFIG_GLOBAL: gitconfig,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_TERMINAL_PROMPT: '0',
    };
    const fill = (input: string) =>
      spawnSync('git', ['credential', 'fill'], { env: gitEnv, input, encoding: 'utf8' });
    const ok = fill('protocol=https\nhost=git.example:8443\npath=acme/widgets.git\n\n');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`password=${SECRET}\n`);
    const denied = fill('protocol=https\nhost=blocked.example\n\n');
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toContain('ERR_POLICY_DENIED');
    expect(denied.stderr).toMatch(/told us to quit/);
  });
});

describe.each(gitHelpers)('git credential helper without a usable daemon: $name', (helper) => {
  let home: Home;
  beforeAll(() => {
    home = makeHome(CONFIG);
    prepare(home);
  });
  afterAll(async () => {
    await runCli(home, ['daemon', 'stop']);
    home.cleanup();
  });
  const run = (args: string[], input = '', env: NodeJS.ProcessEnv = {}) =>
    runHelper(helper.argv(home, args), { ...home.env, ...env }, input);

  it('with no daemon and AGENTID_NO_AUTOSTART=1: says so and stays silent for git', async () => {
    const r = await run(['get'], served, { AGENTID_NO_AUTOSTART: '1' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('(ERR_DAEMON_UNAVAILABLE)');
  });

  it("over a crashed daemon's socket: starts the daemon and answers", async () => {
    await leaveStaleSocket(home.socket);
    const r = await run(['get'], 'protocol=https\nhost=other.example\n\n');
    expect(r, r.stderr).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect((await runCli(home, ['daemon', 'status'])).code).toBe(0);
  }, 60_000);

  it.skipIf(!helper.thin)('without curl on PATH: runs the Node helper', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'agentid-nocurl-'));
    try {
      symlinkSync(which('head'), join(bin, 'head'));
      const r = await run(['get'], 'protocol=https\nhost=other.example\n\n', { PATH: bin });
      expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe.each(gitHelpers)('git credential helper and a socket directory not ours: $name', (helper) => {
  let home: Home;
  const runDir = () => dirname(home.socket);
  beforeAll(() => {
    home = makeHome(CONFIG);
    prepare(home);
    chmodSync(home.dir, 0o755);
  });
  afterAll(() => home.cleanup());
  const run = () =>
    runHelper(helper.argv(home, ['get']), { ...home.env, AGENTID_NO_AUTOSTART: undefined }, served);
  const expectRefused = (r: Awaited<ReturnType<typeof run>>, why: RegExp) => {
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('quit=1\n');
    expect(r.stderr).toContain('(ERR_PATHS_UNSAFE_DIR)');
    expect(r.stderr).toContain(runDir());
    expect(r.stderr).toMatch(why);
  };

  it.skipIf(!isRoot)(
    'owned by uid 65534 with an impostor listening on a 0777 socket: sends it nothing',
    async () => {
      mkdirSync(runDir(), { mode: 0o755 });
      chownSync(runDir(), 65534, 65534);
      const impostor = await startImpostor(home.socket);
      try {
        expectRefused(await run(), /owned by uid 65534/);
      } finally {
        expect(await impostor.stop()).toEqual({ connections: 0, bytes: 0 });
        rmSync(runDir(), { recursive: true, force: true });
      }
    },
  );

  it('ours but open to the group: exit 5 and the chmod that fixes it', async () => {
    mkdirSync(runDir(), { mode: 0o750 });
    chmodSync(runDir(), 0o750);
    try {
      expectRefused(await run(), /chmod 700/);
    } finally {
      rmSync(runDir(), { recursive: true, force: true });
    }
  });

  it('a symlink, even to a private directory of ours', async () => {
    const target = mkdtempSync(join(tmpdir(), 'agentid-target-'));
    symlinkSync(target, runDir());
    try {
      expectRefused(await run(), /symbolic link/);
    } finally {
      rmSync(runDir(), { force: true });
      rmSync(target, { recursive: true, force: true });
    }
  });
});

/** A socket file nobody listens on: what a SIGKILLed daemon leaves behind. */
async function leaveStaleSocket(socket: string): Promise<void> {
  mkdirSync(dirname(socket), { recursive: true, mode: 0o700 });
  const child = spawn(process.execPath, [
    '-e',
    `require('node:net').createServer().listen(${JSON.stringify(socket)}, () => process.stdout.write('ready'))`,
  ]);
  await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
  await sleep(10);
}

describe('the thin helpers find the daemon where the CLI does', () => {
  it('under XDG_RUNTIME_DIR, with no AGENTID_HOME, and without their Node fallback', async () => {
    const root = mkdtempSync(join(tmpdir(), 'agentid-xdg-'));
    const runtime = join(root, 'runtime');
    mkdirSync(runtime, { mode: 0o700 });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AGENTID_HOME: undefined,
      HOME: root,
      XDG_RUNTIME_DIR: runtime,
      XDG_CONFIG_HOME: join(root, 'config'),
      XDG_STATE_HOME: join(root, 'state'),
    };
    const home: Home = {
      dir: root,
      socket: join(runtime, 'agentid', 'agentid.sock'),
      auditDb: join(root, 'state', 'agentid', 'audit.db'),
      env,
      cleanup: () => rmSync(root, { recursive: true, force: true }),
    };
    const daemon = await startDaemon(home);
    try {
      // A Node fallback that cannot run: an answer can only come from the sh helper itself.
      const bin = join(root, 'bin');
      for (const kind of ['git', 'aws'] as const) {
        installThinHelper(bin, kind, { node: '/nonexistent/node', script: '/nonexistent/main.js' });
      }
      const noAgentid = { ...env, PATH: '/usr/bin:/bin' };
      const git = await runHelper(
        [join(bin, 'git-credential-agentid'), 'get'],
        noAgentid,
        'protocol=https\nhost=x.example\n\n',
      );
      expect(git).toMatchObject({ code: 0, stdout: '', stderr: '' });
      const aws = await runHelper([join(bin, 'aws-credential-process'), 'nope'], noAgentid);
      expect(aws.code).toBe(2);
      expect(aws.stderr).toContain('no credential named nope');
    } finally {
      await daemon.stop();
      home.cleanup();
    }
  });
});
