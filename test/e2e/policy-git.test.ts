/**
 * Policy from a real git repository, end to end: a bare repository served by `git http-backend`
 * on loopback (HTTP Basic credentials in the configured URL), commits signed with real SSH keys,
 * the built daemon and CLI. A signed commit is applied (fetched at start, by `policy pull`, and on
 * the interval); an unsigned or untrusted one is refused, an invalid one keeps the last good set;
 * each is an audit row with the commit id. The URL's password reaches no file, log or answer.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRow } from '../../src/audit/index.js';
import { type GitHttp, startGitHttp } from '../peers/git-http.js';
import { makePolicyRepo, type PolicyRepo } from '../peers/policy-repo.js';
import { filesContaining } from './files.js';
import { cliPath, collect, type Daemon, type Home, makeHome, runCli, startDaemon } from './harness.js';
import { requestToken, statusOf, until } from './team-helpers.js';

const SECRET = 'pull-t0ken-7f3a91';
const permitAudience = (audience: string) =>
  `@id("jwt-${audience.length}")\npermit (principal, action == Action::"jwt", resource)\n` +
  `when { context.request has audience && context.request.audience == "${audience}" };\n`;
const invalid = 'permit (principal, action, resource) when { context.user.nope == 1 };\n';
const A = 'https://a.example.com';
const B = 'https://b.example.com';

describe('policy from git', () => {
  let root: string;
  let repo: PolicyRepo;
  let server: GitHttp | undefined;
  let home: Home;
  let daemon: Daemon | undefined;
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'agentid-policy-git-'));
    repo = makePolicyRepo(join(root, 'team'), {
      bare: join(root, 'srv', 'team', 'policy.git'),
      dir: 'agentid',
    });
    server = await startGitHttp({
      root: join(root, 'srv'),
      authorize: (a) => a.username === 'policy-bot' && a.password === SECRET && a.service === 'upload',
    });
  });
  afterEach(async () => {
    await daemon?.stop();
    await server?.close();
    home?.cleanup();
    rmSync(root, { recursive: true, force: true });
    daemon = undefined;
    server = undefined;
  });

  const configure = (interval: string) => {
    home = makeHome(
      [
        '[policy]',
        `git = "http://policy-bot:${SECRET}@127.0.0.1:${server?.port}/team/policy.git"`,
        'ref = "main"',
        'path = "agentid"',
        `interval = "${interval}"`,
        `allowed_signers = "${repo.allowedSigners}"`,
        '',
      ].join('\n'),
    );
    return home;
  };
  const token = (audience: string) => requestToken(home, audience);
  const status = () => statusOf(home);
  const pulls = async () => {
    const out = await runCli(home, ['audit', '--json', '--action', 'policy.pull', '--limit', '100']);
    return out.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditRow)
      .sort((a, b) => a.seq - b.seq);
  };

  it('applies a signed commit, refuses unsigned and untrusted ones, keeps the last good set on an invalid one; each audited', async () => {
    const c1 = repo.commit({ 'team.cedar': permitAudience(A) }, 'trusted', 'allow A');
    configure('1h');
    daemon = await startDaemon(home);
    // Fetched at start, in the background.
    const applied = await until('the first commit', async () => {
      const s = await status();
      return s.policyGit?.commit === c1 ? s : undefined;
    });
    expect(applied.policy).toMatchObject({ source: 'git', files: ['git:team.cedar'], lastError: null });
    expect(applied.policyGit).toMatchObject({
      url: `http://***@127.0.0.1:${server?.port}/team/policy.git`,
      signer: 'alice@example.com',
      lastError: null,
    });
    expect(await token(A)).toBe(200);
    expect(await token(B)).toBe(403);

    const c2 = repo.commit({ 'team.cedar': permitAudience(B) }, 'none', 'allow B, unsigned');
    const unsigned = await runCli(home, ['policy', 'pull']);
    expect(unsigned.code).toBe(3);
    expect(unsigned.stderr).toContain(`commit ${c2} is not signed`);
    expect(unsigned.stderr).toContain('(ERR_POLICY_GIT_UNSIGNED)');
    expect(unsigned.stderr).toContain(`${c1} stays in force`);

    const c3 = repo.commit({ 'team.cedar': permitAudience(B) }, 'untrusted', 'allow B, signed by mallory');
    const untrusted = await runCli(home, ['policy', 'pull', '--json']);
    expect(untrusted.code).toBe(3);
    expect(JSON.parse(untrusted.stdout)).toMatchObject({
      outcome: 'refused',
      commit: c3,
      error: { code: 'ERR_POLICY_GIT_UNTRUSTED' },
      git: { commit: c1 },
    });

    const c4 = repo.commit({ 'team.cedar': `${permitAudience(B)}${invalid}` }, 'trusted', 'allow B, broken');
    const broken = await runCli(home, ['policy', 'pull']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('git:team.cedar:4:');
    expect(broken.stderr).toContain('(ERR_POLICY_INVALID)');
    expect(await token(A)).toBe(200);
    expect(await token(B)).toBe(403);
    const doctor = JSON.parse((await runCli(home, ['doctor', '--json'])).stdout) as {
      checks: { id: string; status: string; detail: string }[];
    };
    expect(doctor.checks.find((c) => c.id === 'policy-git')).toMatchObject({ status: 'fail' });

    const c5 = repo.commit({ 'team.cedar': permitAudience(B) }, 'trusted', 'allow B');
    const good = await runCli(home, ['policy', 'pull']);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain(`applied ${c5}`);
    expect(good.stdout).toContain('signed by alice@example.com');
    expect(await token(B)).toBe(200);
    expect(await token(A)).toBe(403);
    expect((await runCli(home, ['policy', 'pull'])).stdout).toContain(`up to date: ${c5}`);

    const rows = await pulls();
    expect(rows.map((r) => [r.agent, r.decision, r.resource, r.errorCode])).toEqual([
      ['daemon', 'allow', c1, null],
      ['unknown', 'deny', c2, 'ERR_POLICY_GIT_UNSIGNED'],
      ['unknown', 'deny', c3, 'ERR_POLICY_GIT_UNTRUSTED'],
      ['unknown', 'error', c4, 'ERR_POLICY_INVALID'],
      ['unknown', 'allow', c5, null],
      ['unknown', 'allow', c5, null],
    ]);
    expect(rows[4]?.reason).toContain(`applied ${c5}`);
    expect(rows[4]?.reason).toContain(`previously ${c1}`);

    // The token in the URL is in config.toml, where the user put it, and nowhere else.
    const log = daemon.log();
    await daemon.stop();
    daemon = undefined;
    expect(filesContaining(home.dir, SECRET)).toEqual([join(home.dir, 'config.toml')]);
    expect(log).not.toContain(SECRET);
    expect(JSON.stringify(rows)).not.toContain(SECRET);
  }, 120_000);

  it('is a management action: refused inside an agentid exec session, and audited', async () => {
    repo.commit({ 'team.cedar': permitAudience(A) }, 'trusted');
    configure('1h');
    daemon = await startDaemon(home);
    const inSession = await collect(
      spawn(process.execPath, [cliPath, 'exec', '--', process.execPath, cliPath, 'policy', 'pull'], {
        env: home.env,
      }),
    );
    expect(inSession.code).toBe(3);
    expect(inSession.stderr).toContain('ERR_SESSION_MANAGEMENT');
    const refused = await until('the refusal row', async () => {
      const rows = await pulls();
      return rows.find((r) => r.errorCode === 'ERR_SESSION_MANAGEMENT');
    });
    expect(refused).toMatchObject({ action: 'policy.pull', decision: 'deny' });
  }, 60_000);

  it('picks up a signed commit on the interval, and keeps the commit in force across a restart with the server down', async () => {
    const c1 = repo.commit({ 'team.cedar': permitAudience(A) }, 'trusted');
    configure('1s');
    daemon = await startDaemon(home);
    await until('the first commit', async () =>
      (await status()).policyGit?.commit === c1 ? true : undefined,
    );
    const c2 = repo.commit({ 'team.cedar': permitAudience(B) }, 'trusted');
    await until('the interval to take c2', async () =>
      (await status()).policyGit?.commit === c2 ? true : undefined,
    );
    expect(await token(B)).toBe(200);
    const rows = await pulls();
    expect(rows.map((r) => [r.agent, r.resource])).toEqual([
      ['daemon', c1],
      ['daemon', c2],
    ]);

    // The git server goes away; a restarted daemon serves c2 from its clone before any fetch.
    await daemon.stop();
    await server?.close();
    server = undefined;
    daemon = await startDaemon(home);
    expect(await token(B)).toBe(200);
    const failing = await until('the failed fetch', async () => {
      const s = await status();
      return s.policyGit?.lastError ? s : undefined;
    });
    expect(failing.policyGit).toMatchObject({ commit: c2, lastError: { code: 'ERR_POLICY_GIT_FETCH' } });
    expect(await token(B)).toBe(200);
  }, 120_000);

  it('adds local policy files only with local = "merge"', async () => {
    repo.commit({ 'team.cedar': permitAudience(A) }, 'trusted');
    configure('1h');
    const config = readFileSync(join(home.dir, 'config.toml'), 'utf8');
    const local = join(home.dir, 'policy');
    mkdirSync(local);
    writeFileSync(join(local, 'mine.cedar'), permitAudience(B));
    daemon = await startDaemon(home);
    await until('the commit', async () => ((await status()).policyGit?.commit ? true : undefined));
    expect(await token(B)).toBe(403);
    await daemon.stop();
    writeFileSync(join(home.dir, 'config.toml'), config.replace('[policy]\n', '[policy]\nlocal = "merge"\n'));
    daemon = await startDaemon(home);
    expect(await token(B)).toBe(200);
    expect(await token(A)).toBe(200);
    expect((await status()).policy.files).toEqual(['git:team.cedar', 'mine.cedar']);
  }, 120_000);
});
