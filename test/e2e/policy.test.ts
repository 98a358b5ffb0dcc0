/**
 * Policy end to end through the built CLI and the real daemon: `policy check` names file:line of
 * an attribute the schema lacks; a token request is allowed inside the permitted repo and denied
 * (exit 3, audited with the reason) outside it; and hot reload: a broken file leaves decisions
 * unchanged and shows in `status`, fixing it takes effect without a restart.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath, collect, type Home, makeHome, runCli, sleep, startDaemon } from './harness.js';

interface Status {
  policy: { source: string; policyCount: number; files: string[]; lastError: { message: string } | null };
}
interface Row {
  action: string;
  decision: string;
  agent: string;
  reason: string | null;
  policyIds: string[];
  errorCode: string | null;
}

const permitInfra = `@id("claude-jwt-in-infra")
permit (principal == Agent::"claude", action == Action::"jwt", resource == Credential::"identity")
when { context.process has repo && context.process.repo like "*acme/infra*" };
`;

describe('policy', () => {
  let home: Home;
  afterEach(() => home.cleanup());

  const writePolicy = (name: string, text: string) => {
    mkdirSync(join(home.dir, 'policy'), { recursive: true });
    writeFileSync(join(home.dir, 'policy', name), text);
  };
  const status = async () => {
    const out = await runCli(home, ['status', '--json']);
    expect(out.code).toBe(0);
    return JSON.parse(out.stdout) as Status;
  };
  const until = async (what: string, check: (s: Status) => boolean): Promise<Status> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const current = await status();
      if (check(current)) return current;
      if (Date.now() > deadline)
        throw new Error(`status never showed ${what}: ${JSON.stringify(current.policy)}`);
      await sleep(50);
    }
  };
  const audit = async () => {
    const out = await runCli(home, ['audit', '--json', '--limit', '100']);
    return out.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Row);
  };
  /** `agentid token` as the agent claude (declared by an exec session), from cwd. */
  const token = (cwd: string) =>
    collect(
      spawn(
        process.execPath,
        [cliPath, 'exec', '--agent', 'claude', '--', process.execPath, cliPath, 'token', '--audience', 'api'],
        { cwd, env: home.env },
      ),
    );

  it('policy check names file, line and column of an attribute that is not in the schema', async () => {
    home = makeHome();
    writePolicy('ok.cedar', permitInfra);
    writePolicy(
      'typo.cedar',
      '// a typo\npermit (principal, action, resource)\nwhen { context.user.group.contains("dev") };\n',
    );
    const result = await runCli(home, ['policy', 'check']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(home.dir, 'policy', 'typo.cedar')}:3:8: `);
    expect(result.stderr).toContain('user.group');
    expect(result.stderr).toContain('ERR_POLICY_INVALID');

    writePolicy('typo.cedar', '');
    const fixed = await runCli(home, ['policy', 'check']);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('ok: 1 policy in 2 files');
  });

  it('allows the agent inside the permitted repo and denies it outside, with the reason audited', async () => {
    home = makeHome();
    writePolicy('infra.cedar', permitInfra);
    const repo = join(home.dir, 'src', 'infra');
    mkdirSync(repo, { recursive: true });
    execFileSync('git', ['init', '-q', repo]);
    execFileSync('git', ['-C', repo, 'remote', 'add', 'origin', 'git@github.com:acme/infra.git']);
    const outside = join(home.dir, 'src', 'other');
    mkdirSync(outside, { recursive: true });
    const daemon = await startDaemon(home);
    try {
      const inside = await token(repo);
      expect(inside.stderr).toBe('');
      expect(inside.code).toBe(0);
      expect(inside.stdout).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+\n$/);

      const denied = await token(outside);
      expect(denied.code).toBe(3);
      expect(denied.stdout).toBe('');
      expect(denied.stderr).toContain(
        'no policy permits jwt on Credential::"identity" for Agent::"claude" (see why: agentid policy explain',
      );
      expect(denied.stderr).toContain('(ERR_POLICY_DENIED)');

      const jwtRows = (await audit()).filter((r) => r.action === 'jwt');
      expect(jwtRows).toEqual([
        expect.objectContaining({
          decision: 'allow',
          agent: 'claude',
          policyIds: ['infra.cedar:claude-jwt-in-infra'],
        }),
        expect.objectContaining({
          decision: 'deny',
          agent: 'claude',
          policyIds: [],
          errorCode: 'ERR_POLICY_DENIED',
          reason: 'no policy permits jwt on Credential::"identity" for Agent::"claude"',
        }),
      ]);
    } finally {
      await daemon.stop();
    }
  });

  it('hot reload: a broken file changes nothing and shows in status; the fix applies without restart', async () => {
    home = makeHome();
    const daemon = await startDaemon(home);
    try {
      expect((await status()).policy).toMatchObject({ source: 'default', policyCount: 2, lastError: null });
      expect((await token(home.dir)).code).toBe(0);

      // Created after start: the dir itself appears (the parent is watched too).
      writePolicy('main.cedar', 'forbid (principal, action, resource) when { context.user.nope };\n');
      const broken = await until('the error', (s) => s.policy.lastError !== null);
      expect(broken.policy).toMatchObject({ source: 'default', policyCount: 2 });
      expect(broken.policy.lastError?.message).toContain('main.cedar:1:45');
      const human = await runCli(home, ['status']);
      expect(human.stdout).toContain('policy error');
      expect(human.stdout).toContain('main.cedar:1:45');
      expect((await token(home.dir)).code).toBe(0);

      // Fixed the way editors save: a temp file renamed over the original.
      writeFileSync(
        join(home.dir, 'policy', '.main.cedar.tmp'),
        '@id("deny-all")\nforbid (principal, action, resource);\n',
      );
      execFileSync('mv', [
        join(home.dir, 'policy', '.main.cedar.tmp'),
        join(home.dir, 'policy', 'main.cedar'),
      ]);
      const fixed = await until('the fix', (s) => s.policy.lastError === null);
      expect(fixed.policy).toMatchObject({ source: 'dir', files: ['main.cedar'], policyCount: 1 });
      const denied = await token(home.dir);
      expect(denied.code).toBe(3);
      expect(denied.stderr).toContain('forbidden by main.cedar:deny-all');

      const rows = await audit();
      // Every load is a row naming its files by hash: the default at start, the broken file, the fix.
      const reloads = rows.filter((r) => r.action === 'policy.reload');
      expect(reloads).toEqual([
        expect.objectContaining({ decision: 'allow', errorCode: null }),
        expect.objectContaining({ decision: 'error', errorCode: 'ERR_POLICY_INVALID' }),
        expect.objectContaining({ decision: 'allow', errorCode: null }),
      ]);
      expect(reloads[0]?.reason).toMatch(/default\.cedar sha256=[0-9a-f]{64}/);
      expect(reloads[1]?.reason).toContain('main.cedar:1:45');
      expect(reloads[2]?.reason).toMatch(/loaded 1 policies from .*: main\.cedar sha256=[0-9a-f]{64}$/);
      expect(rows.filter((r) => r.action === 'jwt').map((r) => r.decision)).toEqual([
        'allow',
        'allow',
        'deny',
      ]);
      expect(daemon.log()).toContain(`policy loaded: ${join(home.dir, 'policy')} (policies: 1)`);
    } finally {
      await daemon.stop();
    }
  });
});
