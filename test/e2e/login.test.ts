/**
 * `agentid login` end to end against a real OpenID provider (oidc-provider on 127.0.0.1): the
 * device flow and the browser flow (PKCE, loopback redirect) completed over HTTP like a browser,
 * a forged redirect refused, refresh across a short access-token lifetime, revocation at the
 * provider turning into exit 4 with the login hint, a provider that hangs, and the refresh token
 * in a real keychain (and in no file) surviving a daemon restart.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoginStartResponse, StatusResponse, WhoamiResponse } from '../../src/protocol/index.js';
import { keyringUnavailableReason, runInKeyringSession } from '../peers/keyring.js';
import { browse, CLIENT_ID, type OidcPeer, startOidcProvider } from '../peers/oidc-provider.js';
import { filesContaining } from './files.js';
import { cliPath, collect, type Home, makeHome, type Result, runCli, sleep } from './harness.js';

const keyringSkip = keyringUnavailableReason();
if (keyringSkip) console.warn(`SKIP agentid login with gnome-keyring: ${keyringSkip}`);

function idpConfig(issuer: string, extra = ''): string {
  return `[secrets]\nbackend = "file"\n\n[idp]\nissuer = "${issuer}"\nclient_id = "${CLIENT_ID}"\n${extra}`;
}

/** Starts `agentid login ...--json` and resolves with its first JSON line (what to show) and its end. */
async function startLogin(
  home: Home,
  args: string[],
): Promise<{ start: LoginStartResponse; done: Promise<Result> }> {
  const child: ChildProcess = spawn(process.execPath, [cliPath, 'login', '--json', ...args], {
    env: { ...home.env, DISPLAY: undefined, WAYLAND_DISPLAY: undefined, BROWSER: undefined },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const done = collect(child);
  const start = await new Promise<LoginStartResponse>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(JSON.parse(line) as LoginStartResponse);
    });
    void done.then((r) => reject(new Error(`login ended early (${r.code}): ${r.stderr}`)));
  });
  return { start, done };
}

async function status(home: Home): Promise<StatusResponse> {
  const r = await runCli(home, ['status', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StatusResponse;
}

describe('agentid login', () => {
  let home: Home | undefined;
  let peer: OidcPeer | undefined;
  afterEach(async () => {
    if (home) {
      await runCli(home, ['daemon', 'stop']);
      home.cleanup();
    }
    await peer?.close();
    home = undefined;
    peer = undefined;
  });

  it('device flow: shows URL and code, completes, and status shows the email and groups', async () => {
    peer = await startOidcProvider();
    home = makeHome(idpConfig(peer.issuer));
    const { start, done } = await startLogin(home, ['--device']);
    expect(start).toMatchObject({ mode: 'device', issuer: peer.issuer });
    expect(start.userCode).toMatch(/\S{4,}/);
    expect(start.verificationUriComplete).toContain(peer.issuer);
    const page = await browse(start.verificationUriComplete ?? '', 'alice');
    expect(page.text).toContain('Sign-in Success');
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(start.userCode);
    const now = await status(home);
    expect(now.login).toMatchObject({
      idp: 'oidc',
      issuer: peer.issuer,
      state: 'logged-in',
      human: { sub: 'alice', idp: 'oidc', email: 'alice@example.com', groups: ['eng', 'admins'] },
    });
    const text = await runCli(home, ['status']);
    expect(text.stdout).toMatch(/alice@example\.com .*groups: eng, admins .*until/);
  });

  it('browser flow: PKCE S256 + state + nonce, loopback redirect on 127.0.0.1 completes the login', async () => {
    peer = await startOidcProvider();
    home = makeHome(idpConfig(peer.issuer));
    const { start, done } = await startLogin(home, ['--browser']);
    const url = new URL(start.authorizationUrl ?? '');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('state')).toBeTruthy();
    expect(url.searchParams.get('nonce')).toBeTruthy();
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const page = await browse(url.href, 'bob');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Logged in to agentid as bob@example.com');
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    const me = await runCli(home, ['whoami', '--json']);
    expect(me.code, me.stderr).toBe(0);
    expect((JSON.parse(me.stdout) as WhoamiResponse).human).toMatchObject({ sub: 'bob', idp: 'oidc' });
    const audit = await runCli(home, ['audit', '--json', '--action', 'login']);
    expect(audit.stdout).toContain('"human":"bob"');
  });

  it('refuses a redirect whose state does not belong to the login (exit 4), accepting nothing', async () => {
    peer = await startOidcProvider();
    home = makeHome(idpConfig(peer.issuer));
    const { start, done } = await startLogin(home, ['--browser']);
    const redirect = new URL(new URL(start.authorizationUrl ?? '').searchParams.get('redirect_uri') ?? '');
    redirect.search = new URLSearchParams({ code: 'forged-code', state: 'forged-state' }).toString();
    const res = await fetch(redirect);
    expect(res.status).toBe(400);
    const result = await done;
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('ERR_LOGIN_STATE_MISMATCH');
    expect((await status(home)).login?.state).toBe('logged-out');
  });

  it('refreshes across a short access-token lifetime; after revocation at the provider: exit 4 + hint', async () => {
    peer = await startOidcProvider({ accessTokenTtlS: 2 });
    home = makeHome(idpConfig(peer.issuer));
    const { start, done } = await startLogin(home, ['--device']);
    await browse(start.verificationUriComplete ?? '', 'carol');
    expect((await done).code).toBe(0);
    const firstExpiry = (await status(home)).login?.expiresAt ?? '';

    await sleep(2500);
    const me = await runCli(home, ['whoami', '--json']);
    expect(me.code, me.stderr).toBe(0);
    expect((JSON.parse(me.stdout) as WhoamiResponse).human.email).toBe('carol@example.com');
    const refreshed = (await status(home)).login;
    expect(refreshed?.state).toBe('logged-in');
    expect(Date.parse(refreshed?.expiresAt ?? '')).toBeGreaterThan(Date.parse(firstExpiry));

    peer.revokeAll();
    await sleep(2500);
    const denied = await runCli(home, ['whoami']);
    expect(denied.code).toBe(4);
    expect(denied.stderr).toContain('ERR_LOGIN_REQUIRED');
    expect(denied.stderr).toContain('agentid login');
    expect((await status(home)).login?.state).toBe('login-required');
    const exec = await runCli(home, ['exec', '--', 'true']);
    expect(exec.code).toBe(4);
  });

  it('a provider that hangs gives ERR_IDP_UNAVAILABLE within the timeout, and the daemon stays up', async () => {
    const sockets: Socket[] = [];
    const blackhole: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const port = (blackhole.address() as { port: number }).port;
    try {
      home = makeHome(idpConfig(`http://127.0.0.1:${port}`, 'timeout_ms = 1000\n'));
      await status(home);
      const started = Date.now();
      const login = await runCli(home, ['login', '--device']);
      const took = Date.now() - started;
      expect(login.code).toBe(1);
      expect(login.stderr).toContain('ERR_IDP_UNAVAILABLE');
      expect(login.stderr).toContain('1000 ms');
      // Generous bound: the point is "bounded by the timeout", not a benchmark.
      expect(took).toBeLessThan(5000);
      expect((await runCli(home, ['status'])).code).toBe(0);
    } finally {
      for (const s of sockets) s.destroy();
      blackhole.close();
    }
  });

  it('without [idp], login says how to configure one and the human stays local', async () => {
    home = makeHome();
    const login = await runCli(home, ['login', '--device']);
    expect(login.code).toBe(2);
    expect(login.stderr).toContain('ERR_IDP_NOT_CONFIGURED');
    expect((await status(home)).login).toMatchObject({ idp: 'local', state: 'local' });
  });

  it.skipIf(keyringSkip !== null)(
    'keeps the refresh token in the keychain only, and a daemon restart keeps the session',
    async () => {
      peer = await startOidcProvider();
      const keyringHome = mkdtempSync(join(tmpdir(), 'agentid-login-keyring-'));
      const agentidHome = makeHome(`[idp]\nissuer = "${peer.issuer}"\nclient_id = "${CLIENT_ID}"\n`);
      try {
        const agentid = `node ${cliPath}`;
        const session = runInKeyringSession(
          `${agentid} login --device --json > "$HOME/login.out" 2> "$HOME/login.err"
           echo "login=$?"
           echo "lookup=$(secret-tool lookup service agentid username agentid.oidc.refresh-token)"
           ${agentid} daemon stop >/dev/null
           ${agentid} whoami --json > "$HOME/whoami.json"; echo "whoami=$?"
           ${agentid} daemon stop >/dev/null`,
          { HOME: keyringHome, AGENTID_HOME: agentidHome.dir },
        );
        let start: LoginStartResponse | undefined;
        for (let i = 0; i < 100 && !start; i++) {
          await sleep(100);
          const line = readOr(join(keyringHome, 'login.out')).split('\n')[0];
          if (line) start = JSON.parse(line) as LoginStartResponse;
        }
        expect(start, readOr(join(keyringHome, 'login.err'))).toBeDefined();
        await browse(start?.verificationUriComplete ?? '', 'dave');
        const out = await session;
        expect(out.stdout, out.stderr + readOr(join(keyringHome, 'login.err'))).toContain('login=0');
        const token = /lookup=(\S+)/.exec(out.stdout)?.[1] ?? '';
        expect(token.length).toBeGreaterThan(10);
        expect(filesContaining(agentidHome.dir, token)).toEqual([]);
        expect(readOr(join(keyringHome, 'login.out'))).not.toContain(token);
        expect(out.stdout).toContain('whoami=0');
        const me = JSON.parse(readOr(join(keyringHome, 'whoami.json'))) as WhoamiResponse;
        expect(me.human).toMatchObject({ sub: 'dave', idp: 'oidc', email: 'dave@example.com' });
      } finally {
        agentidHome.cleanup();
        rmSync(keyringHome, { recursive: true, force: true });
      }
    },
  );
});

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
