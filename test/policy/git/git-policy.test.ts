/**
 * Policy from git, in process, over real git: a bare repository fetched as file:// (and, for the
 * failure paths, over http to servers that refuse or never answer), commits signed by real SSH
 * keys, and the same PolicyEngine the daemon runs. Each check's refusal keeps the set in force.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PolicyGitConfig } from '../../../src/config/index.js';
import { GitPolicy, GitPolicyRepo } from '../../../src/policy/git/index.js';
import { PolicyEngine, readPolicyDir, whatIfInput } from '../../../src/policy/index.js';
import { startGitHttp } from '../../peers/git-http.js';
import { makePolicyRepo, type PolicyRepo } from '../../peers/policy-repo.js';
import { NOW, UID } from '../helpers.js';

const permit = (agent: string) =>
  `@id("${agent}-jwt")\npermit (principal == Agent::"${agent}", action == Action::"jwt", resource);\n`;
const broken = 'permit (principal, action, resource) when { context.user.nope == 1 };\n';

describe('GitPolicy', () => {
  let root: string;
  let repo: PolicyRepo;
  let localDir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'agentid-git-policy-'));
    repo = makePolicyRepo(join(root, 'team'), { bare: join(root, 'srv', 'policy.git'), dir: 'agentid' });
    localDir = join(root, 'local-policy');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function open(
    overrides: Partial<PolicyGitConfig> = {},
    local: 'ignore' | 'merge' = 'ignore',
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const config: PolicyGitConfig = {
      url: `file://${repo.bare}`,
      ref: 'main',
      path: 'agentid',
      intervalMs: 60_000,
      allowedSigners: repo.allowedSigners,
      timeoutMs: 10_000,
      ...overrides,
    };
    const state = join(root, 'state', 'policy-git');
    mkdirSync(state, { recursive: true, mode: 0o700 });
    let engine: PolicyEngine | undefined;
    const git = new GitPolicy({
      config,
      local,
      repo: new GitPolicyRepo(config, state, {
        spawn,
        kill: (pid, signal) => process.kill(pid, signal),
        env,
      }),
      readLocal: () => readPolicyDir(localDir, UID),
      reload: () => (engine as PolicyEngine).reload(),
      now: () => NOW,
    });
    engine = new PolicyEngine({ dir: localDir, uid: UID, now: () => NOW, source: git.source() });
    const decide = (agent: string) =>
      engine?.decide(whatIfInput({ agent, credential: 'identity' }, { uid: UID, now: NOW })).decision;
    return { git, engine, decide };
  }

  it('denies everything until a first commit is taken (fail closed), then decides by it', async () => {
    const first = repo.commit({ 'team.cedar': permit('claude') }, 'trusted');
    const { git, engine, decide } = open();
    expect(decide('claude')).toBe('deny');
    expect(engine.status().lastError?.message).toContain('no commit of main has been taken');
    const outcome = await git.pull();
    expect(outcome).toEqual({
      outcome: 'applied',
      commit: first,
      previous: null,
      signer: 'alice@example.com',
      files: ['git:team.cedar'],
    });
    expect(decide('claude')).toBe('allow');
    expect(decide('codex')).toBe('deny');
    expect(engine.status()).toMatchObject({ source: 'git', files: ['git:team.cedar'], lastError: null });
    expect(engine.policies().map((p) => p.id)).toEqual(['git:team.cedar:claude-jwt']);
    expect(await git.pull()).toEqual({ outcome: 'unchanged', commit: first });
    expect(git.status()).toMatchObject({ commit: first, signer: 'alice@example.com', lastError: null });
  });

  it.each([
    ['unsigned', 'none', 'ERR_POLICY_GIT_UNSIGNED', 'is not signed'],
    [
      'signed by a key not in allowed_signers',
      'untrusted',
      'ERR_POLICY_GIT_UNTRUSTED',
      'signed by a key not in',
    ],
  ] as const)('refuses a commit %s; the set in force stays', async (_name, sign, code, message) => {
    const good = repo.commit({ 'team.cedar': permit('claude') }, 'trusted');
    const { git, decide } = open();
    await git.pull();
    const bad = repo.commit({ 'team.cedar': permit('codex') }, sign);
    const outcome = await git.pull();
    expect(outcome).toMatchObject({ outcome: 'refused', commit: bad, error: { code } });
    expect(outcome.outcome === 'refused' && outcome.error.message).toContain(message);
    expect(decide('claude')).toBe('allow');
    expect(decide('codex')).toBe('deny');
    expect(git.status()).toMatchObject({ commit: good, lastError: { code, commit: bad } });
  });

  it('keeps the last good set when a signed commit has an invalid policy, naming file and line', async () => {
    const good = repo.commit({ 'team.cedar': permit('claude') }, 'trusted');
    const { git, engine, decide } = open();
    await git.pull();
    const bad = repo.commit({ 'team.cedar': `${permit('codex')}${broken}` }, 'trusted');
    const outcome = await git.pull();
    expect(outcome).toMatchObject({ outcome: 'refused', commit: bad, error: { code: 'ERR_POLICY_INVALID' } });
    expect(outcome.outcome === 'refused' && outcome.error.message).toContain('git:team.cedar:3:');
    expect(decide('claude')).toBe('allow');
    expect(decide('codex')).toBe('deny');
    expect(engine.status().lastError?.message).toContain(`at ${bad.slice(0, 12)}`);
    expect(git.status().commit).toBe(good);
    // Fixed upstream: taken at the next pull.
    const fixed = repo.commit({ 'team.cedar': permit('codex') }, 'trusted');
    expect(await git.pull()).toMatchObject({ outcome: 'applied', commit: fixed, previous: good });
    expect(decide('codex')).toBe('allow');
    expect(engine.status().lastError).toBeNull();
  });

  it('refuses a rollback to an older signed commit', async () => {
    const older = repo.commit({ 'team.cedar': `${permit('claude')}${permit('codex')}` }, 'trusted');
    repo.commit({ 'team.cedar': permit('claude') }, 'trusted', 'revoke codex');
    const { git, decide } = open();
    await git.pull();
    repo.forcePush(older);
    expect(await git.pull()).toMatchObject({
      outcome: 'refused',
      commit: older,
      error: { code: 'ERR_POLICY_GIT_ROLLBACK' },
    });
    expect(decide('codex')).toBe('deny');
  });

  it.each([
    ['the directory is missing', { path: 'elsewhere' }, 'has no directory elsewhere'],
    ['it holds no .cedar file', { path: 'docs' }, 'no *.cedar files in directory docs'],
  ])('refuses a commit whose policy tree is wrong: %s', async (_name, overrides, message) => {
    repo.commit(
      { 'team.cedar': permit('claude'), '../docs/README.md': 'policies live in agentid/\n' },
      'trusted',
    );
    const { git } = open(overrides);
    const outcome = await git.pull();
    expect(outcome).toMatchObject({ outcome: 'refused', error: { code: 'ERR_POLICY_GIT_TREE' } });
    expect(outcome.outcome === 'refused' && outcome.error.message).toContain(message);
  });

  it('adds the local policy files only with local = "merge"', async () => {
    repo.commit({ 'team.cedar': permit('claude') }, 'trusted');
    mkdirSync(localDir);
    writeFileSync(join(localDir, 'mine.cedar'), permit('codex'));
    const ignored = open({}, 'ignore');
    await ignored.git.pull();
    expect(ignored.decide('codex')).toBe('deny');
    const merged = open({}, 'merge');
    await merged.git.pull();
    expect(merged.decide('codex')).toBe('allow');
    expect(merged.engine.status().files).toEqual(['git:team.cedar', 'mine.cedar']);
    // A broken local file cannot take the merged set down: it is refused and the set stays.
    writeFileSync(join(localDir, 'mine.cedar'), broken);
    expect(merged.engine.reloadIfChanged()?.ok).toBe(false);
    expect(merged.decide('codex')).toBe('allow');
  });

  it('restores the commit in force at start, checked again, without fetching', async () => {
    const commit = repo.commit({ 'team.cedar': permit('claude') }, 'trusted');
    await open().git.pull();
    // The repository is gone (offline): the restored commit still applies.
    rmSync(repo.bare, { recursive: true, force: true });
    const again = open();
    expect(again.decide('claude')).toBe('deny');
    expect(await again.git.restore()).toMatchObject({ outcome: 'applied', commit });
    expect(again.decide('claude')).toBe('allow');
    expect((await again.git.pull()).outcome).toBe('refused');
    expect(again.decide('claude')).toBe('allow');
    // The signer is no longer trusted: the restored commit is refused, and nothing is in force.
    writeFileSync(repo.allowedSigners, '');
    const distrusted = open();
    expect(await distrusted.git.restore()).toMatchObject({
      outcome: 'refused',
      error: { code: 'ERR_POLICY_GIT_UNTRUSTED' },
    });
    expect(distrusted.decide('claude')).toBe('deny');
  });

  it("never runs the user's credential helpers, and never prompts: a repository that wants credentials fails", async () => {
    // The user's git config names a helper (as `agentid setup git` would): it must not run.
    const userHome = join(root, 'user-home');
    const marker = join(root, 'helper-ran');
    mkdirSync(userHome);
    writeFileSync(
      join(userHome, '.gitconfig'),
      `[credential]\n\thelper = "!f() { touch ${marker}; echo username=leak; echo password=leak; }; f"\n`,
    );
    const server = await startGitHttp({ root: join(root, 'srv'), authorize: () => true });
    try {
      repo.commit({ 'team.cedar': permit('claude') }, 'trusted');
      const env = { ...process.env, HOME: userHome, XDG_CONFIG_HOME: join(userHome, '.config') };
      const { git } = open({ url: `http://127.0.0.1:${server.port}/policy.git` }, 'ignore', env);
      const outcome = await git.pull();
      expect(outcome).toMatchObject({ outcome: 'refused', error: { code: 'ERR_POLICY_GIT_FETCH' } });
      expect(server.attempts).toEqual([]);
      expect(() => readFileSync(marker)).toThrow();
    } finally {
      await server.close();
    }
  });

  describe('fetch failures', () => {
    let server: Server;
    let port: number;
    const sockets = new Set<import('node:net').Socket>();
    beforeEach(async () => {
      // Accepts and never answers: a hung git server.
      server = createServer((socket) => sockets.add(socket));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterEach(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });

    it('a server that never answers is cut off at timeout_ms, coded, and the set stays', async () => {
      repo.commit({ 'team.cedar': permit('claude') }, 'trusted');
      const { git, decide } = open();
      await git.pull();
      const hung = open({ url: `http://127.0.0.1:${port}/policy.git`, timeoutMs: 1_000 });
      await hung.git.restore();
      const outcome = await hung.git.pull();
      expect(outcome).toMatchObject({
        outcome: 'refused',
        commit: null,
        error: { code: 'ERR_POLICY_GIT_FETCH' },
      });
      expect(outcome.outcome === 'refused' && outcome.error.message).toContain('no answer within 1000 ms');
      expect(decide('claude')).toBe('allow');
      expect(hung.decide('claude')).toBe('allow');
    });

    it('never shows the credentials of the URL, and never prompts for any', async () => {
      const url = `http://policy-bot:s3cr3t-t0ken@127.0.0.1:1/team/policy.git`;
      const { git } = open({ url, timeoutMs: 5_000 });
      const outcome = await git.pull();
      expect(outcome).toMatchObject({ outcome: 'refused', error: { code: 'ERR_POLICY_GIT_FETCH' } });
      const shown = JSON.stringify([outcome.outcome === 'refused' && outcome.error.message, git.status()]);
      expect(shown).not.toContain('s3cr3t-t0ken');
      expect(shown).not.toContain('policy-bot');
      expect(git.status().url).toBe('http://***@127.0.0.1:1/team/policy.git');
    });
  });
});
