/**
 * The policy commands that need no daemon, through the built CLI: init (writes, never
 * overwrites, --force backs up), policy test (exit 1 with a diff per failing case) and policy
 * explain (exit 3 on deny, naming the failed condition).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Home, makeHome, runCli } from './harness.js';

describe('policy commands', () => {
  let home: Home;
  afterEach(() => home.cleanup());

  it('init writes the default policy, the examples and a config; never overwrites; --force backs up', async () => {
    home = makeHome();
    const first = await runCli(home, ['init']);
    expect(first.code).toBe(0);
    const policyDir = join(home.dir, 'policy');
    expect(readdirSync(policyDir).sort()).toEqual(['default.cedar', 'examples.cedar']);
    const uid = process.getuid?.() ?? 0;
    expect(readFileSync(join(policyDir, 'default.cedar'), 'utf8')).toContain(`context.process.uid == ${uid}`);
    expect(statSync(join(home.dir, 'config.toml')).mode & 0o777).toBe(0o600);
    // The written policies load: check and a daemon-free what-if both accept them.
    expect((await runCli(home, ['policy', 'check'])).stdout).toContain('ok: 2 policies in 2 files');
    const explain = await runCli(home, [
      'policy',
      'explain',
      '--agent',
      'claude',
      '--credential',
      'identity',
    ]);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain('allow: permitted by default.cedar:jwt-own-uid');

    writeFileSync(join(policyDir, 'default.cedar'), '// mine\n');
    const again = await runCli(home, ['init', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).files.map((f: { action: string }) => f.action)).toEqual([
      'kept',
      'kept',
      'kept',
    ]);
    expect(readFileSync(join(policyDir, 'default.cedar'), 'utf8')).toBe('// mine\n');

    const forced = await runCli(home, ['init', '--force', '--json']);
    const files = JSON.parse(forced.stdout).files as { path: string; action: string; backup: string }[];
    expect(files.map((f) => f.action)).toEqual(['replaced', 'replaced', 'replaced']);
    expect(readFileSync(files[0]?.backup ?? '', 'utf8')).toBe('// mine\n');
    expect(readFileSync(join(policyDir, 'default.cedar'), 'utf8')).toContain('jwt-own-uid');
  });

  it('policy test passes matching cases and exits 1 with a diff for a mismatch', async () => {
    home = makeHome();
    const cases = join(home.dir, 'cases.toml');
    writeFileSync(
      cases,
      '[[case]]\nname = "identity"\nagent = "claude"\ncredential = "identity"\nexpect = "allow"\n\n' +
        '[[case]]\nname = "aws wrongly expected"\nagent = "claude"\ncredential = "ro"\ntype = "aws"\nexpect = "allow"\n',
    );
    const result = await runCli(home, ['policy', 'test', cases]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('ok   identity\n');
    expect(result.stdout).toContain(
      // The default policy forbids anything beyond identity tokens outside a session.
      'FAIL aws wrongly expected\n  - expected: allow\n  + actual:   deny (forbidden by default.cedar:beyond-identity-needs-session)\n',
    );
    expect(result.stdout).toContain('1 passed, 1 failed');
    expect(result.stderr).toContain('ERR_POLICY_TEST_FAILED');

    writeFileSync(cases, '[[case]]\nagent = "claude"\ncredential = "identity"\nexpect = "allow"\n');
    expect((await runCli(home, ['policy', 'test', cases])).code).toBe(0);
    writeFileSync(cases, '[[case]]\nagent = "claude"\ncredentail = "identity"\nexpect = "allow"\n');
    const typo = await runCli(home, ['policy', 'test', cases]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown key "credentail"');
  });

  it('policy explain exits 3 on a deny and names the condition that failed', async () => {
    home = makeHome();
    const dir = join(home.dir, 'p');
    await runCli(home, ['init']);
    writeFileSync(
      join(home.dir, 'policy', 'aws.cedar'),
      '@id("aws-platform")\npermit (principal == Agent::"claude", action == Action::"aws", resource)\n' +
        'when { context.user.groups.contains("platform") };\n',
    );
    // In a sandboxed session, so the default's forbid (less than session evidence) does not decide.
    const args = [
      'policy',
      'explain',
      '--agent',
      'claude',
      '--credential',
      'ro',
      '--type',
      'aws',
      '--evidence',
      'sandbox',
      '--session',
      's1',
    ];
    const denied = await runCli(home, [...args, '--user-group', 'dev']);
    expect(denied.code).toBe(3);
    expect(denied.stdout).toBe(
      'deny: no policy permits aws on Credential::"ro" for Agent::"claude"\n' +
        'closest permit: aws.cedar:aws-platform (aws.cedar:1)\n' +
        '  when { context.user.groups.contains("platform") } is false\n',
    );
    const allowed = await runCli(home, [
      ...args,
      '--user-group',
      'dev',
      '--user-group',
      'platform',
      '--json',
    ]);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).decision).toMatchObject({
      decision: 'allow',
      policyIds: ['aws.cedar:aws-platform'],
    });
    expect((await runCli(home, [...args, '--dir', dir])).stdout).toContain(
      'closest permit: default.cedar:jwt-own-uid',
    );
  });
});
