/**
 * Loading: errors name file, line and column (mapped back from Cedar's per-policy offsets), a set
 * that fails never replaces the last good one, and policy ids name the file they come from.
 */
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDiagnostic, loadPolicies, whatIfInput } from '../../src/policy/index.js';
import { makePolicyHome, NOW, type PolicyHome, UID } from './helpers.js';

const permitJwt = (id: string) => `@id("${id}")\npermit (principal, action == Action::"jwt", resource);\n`;
const errorsOf = (files: Record<string, string>) => {
  const result = loadPolicies(Object.entries(files).map(([name, text]) => ({ name, text })));
  if (result.ok) throw new Error('expected a load failure');
  return result.diagnostics.map(formatDiagnostic);
};

describe('load errors', () => {
  it('names the file, line and column of an attribute that is not in the schema', () => {
    const second = [
      '// second file',
      permitJwt('fine'),
      '@id("typo")',
      'permit (principal, action, resource)',
      'when { context.user.group.contains("x") };',
    ].join('\n');
    const errors = errorsOf({ 'a.cedar': permitJwt('a'), 'b.cedar': second });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^b\.cedar:7:8: .*user\.group.* not found/);
  });

  it('counts columns in characters and lines after multi-byte text', () => {
    const text = '// ünïcödé — ✓\npermit (principal, action, resource)\nwhen { "é" == "é" && context.nope };';
    expect(errorsOf({ 'u.cedar': text })[0]).toMatch(/^u\.cedar:3:22: /);
  });

  it('names the file, line and column of a syntax error', () => {
    const text = `${permitJwt('ok')}\npermit (principal, action, resource)\nwhen { context.user.sub == };\n`;
    expect(errorsOf({ 'ok.cedar': permitJwt('x'), 'syntax.cedar': text })[0]).toMatch(
      /^syntax\.cedar:5:28: /,
    );
  });

  it('maps policies to their files past policy9 (Cedar sorts ids as strings)', () => {
    const many = Array.from(
      { length: 12 },
      (_, i) => `permit (principal == Agent::"a${i}", action, resource);`,
    );
    many[10] = 'permit (principal == Agent::"a10", action, resource) when { context.nope };';
    expect(errorsOf({ 'many.cedar': many.join('\n') })[0]).toMatch(/^many\.cedar:11:\d+: /);
    const ok = loadPolicies([{ name: 'many.cedar', text: many.filter((_, i) => i !== 10).join('\n') }]);
    expect(ok.ok && ok.policies.map((p) => [p.id, p.line])).toEqual(
      Array.from({ length: 11 }, (_, i) => [`many.cedar:policy${i}`, i + 1]),
    );
  });

  it('refuses a duplicate @id in one file, and allows it across files', () => {
    expect(errorsOf({ 'd.cedar': `${permitJwt('same')}${permitJwt('same')}` })[0]).toMatch(
      /^d\.cedar:3:1: @id\("same"\) is used twice/,
    );
    const ok = loadPolicies([
      { name: 'a.cedar', text: permitJwt('same') },
      { name: 'b.cedar', text: permitJwt('same') },
    ]);
    expect(ok.ok && ok.policies.map((p) => p.id)).toEqual(['a.cedar:same', 'b.cedar:same']);
  });

  it('refuses templates: Cedar does not load them as static policies', () => {
    expect(errorsOf({ 't.cedar': 'permit (principal == ?principal, action, resource);' })[0]).toMatch(
      /^t\.cedar: .*template/,
    );
  });

  it('refuses an optional attribute used without `has` (strict validation)', () => {
    const text = 'permit (principal, action, resource) when { context.process.repo == "x" };';
    expect(errorsOf({ 's.cedar': text })[0]).toMatch(/^s\.cedar:1:45: .*optional attribute/);
  });
});

describe('the engine over a policy dir', () => {
  let home: PolicyHome;
  beforeEach(() => {
    home = makePolicyHome();
  });
  afterEach(() => home.cleanup());
  const jwt = { agent: 'claude', credential: 'identity' };
  const decide = (engine: ReturnType<PolicyHome['engine']>) =>
    engine.decide(whatIfInput(jwt, { uid: UID, now: NOW }));

  it('keeps the last good set when a reload fails, and reports the error until a good load', () => {
    home.write({ 'main.cedar': permitJwt('jwt') });
    const engine = home.engine();
    expect(decide(engine)).toMatchObject({ decision: 'allow', policyIds: ['main.cedar:jwt'] });

    home.write({ 'broken.cedar': 'forbid (principal, action, resource) when { context.user.nope };' });
    const failed = engine.reload();
    expect(failed.ok).toBe(false);
    expect(!failed.ok && failed.error.code).toBe('ERR_POLICY_INVALID');
    expect(!failed.ok && failed.error.message).toContain('broken.cedar:1:');
    expect(decide(engine)).toMatchObject({ decision: 'allow', policyIds: ['main.cedar:jwt'] });
    expect(engine.status()).toMatchObject({
      files: ['main.cedar'],
      policyCount: 1,
      lastError: { diagnostics: [{ file: 'broken.cedar', line: 1 }] },
    });

    writeFileSync(join(home.dir, 'broken.cedar'), 'forbid (principal, action, resource);');
    expect(engine.reload().ok).toBe(true);
    expect(decide(engine)).toMatchObject({ decision: 'deny', policyIds: ['broken.cedar:policy0'] });
    expect(decide(engine).reason).toBe('forbidden by broken.cedar:policy0');
    expect(engine.status()).toMatchObject({ files: ['broken.cedar', 'main.cedar'], lastError: null });
  });

  it('denies everything when the first load fails (no last good set)', () => {
    home.write({ 'x.cedar': 'permit (principal, action, resource' });
    const engine = home.engine();
    expect(engine.status()).toMatchObject({ source: 'dir', policyCount: 0, loadedAt: null });
    expect(engine.status().lastError?.message).toContain('x.cedar:1:');
    const decision = decide(engine);
    expect(decision.decision).toBe('deny');
    expect(decision.reason).toContain('no policy set is loaded');
  });

  it('an empty dir permits nothing; hidden and non-.cedar files are ignored', () => {
    home.write({ '.#main.cedar': permitJwt('x'), 'main.cedar~': permitJwt('y'), 'notes.txt': 'x' });
    const engine = home.engine();
    expect(engine.status()).toMatchObject({ source: 'dir', files: [], policyCount: 0, lastError: null });
    expect(decide(engine).reason).toBe('no policy permits jwt on Credential::"identity" for Agent::"claude"');
  });

  it('falls back to the default when the dir is removed', () => {
    home.write({ 'none.cedar': '' });
    const engine = home.engine();
    expect(decide(engine).decision).toBe('deny');
    rmSync(home.dir, { recursive: true });
    expect(engine.reload().ok).toBe(true);
    expect(engine.status().source).toBe('default');
    expect(decide(engine)).toMatchObject({ decision: 'allow', policyIds: ['default.cedar:jwt-own-uid'] });
  });

  it('reloadIfChanged skips an unchanged dir', () => {
    home.write({ 'main.cedar': permitJwt('jwt') });
    const engine = home.engine();
    expect(engine.reloadIfChanged()).toBeNull();
    home.write({ 'main.cedar': permitJwt('jwt2') });
    expect(engine.reloadIfChanged()?.ok).toBe(true);
    expect(decide(engine).policyIds).toEqual(['main.cedar:jwt2']);
  });

  const overflow = 'context.process.uid * 9223372036854775807 > 0';

  it('ignores a permit that fails to evaluate, and reports it', () => {
    home.write({
      'main.cedar': `${permitJwt('jwt')}@id("overflow")\npermit (principal, action, resource) when { ${overflow} };`,
    });
    const decision = decide(home.engine());
    expect(decision).toMatchObject({ decision: 'allow', policyIds: ['main.cedar:jwt'] });
    expect(decision.errors[0]).toMatch(/^main\.cedar:overflow: .*overflow/);
    expect(decision.reason).toContain('(failed to evaluate: main.cedar:overflow: ');
  });

  it('denies when a forbid fails to evaluate: a forbid that cannot be checked is not waived', () => {
    home.write({
      'main.cedar': `${permitJwt('jwt')}@id("overflow")\nforbid (principal, action, resource) when { ${overflow} };`,
    });
    const decision = decide(home.engine());
    expect(decision).toMatchObject({ decision: 'deny', policyIds: ['main.cedar:overflow'] });
    expect(decision.reason).toMatch(/^forbidden by main\.cedar:overflow, which failed to evaluate/);
  });
});

describe('a policy dir another user could write', () => {
  let home: PolicyHome;
  beforeEach(() => {
    home = makePolicyHome();
  });
  afterEach(() => home.cleanup());

  it.each([
    ['a group- or world-writable policy dir', (dir: string) => chmodSync(dir, 0o777)],
    ['a world-writable file', (dir: string) => chmodSync(join(dir, 'zz.cedar'), 0o666)],
    ['a group-writable parent dir', (dir: string) => chmodSync(dirname(dir), 0o775)],
  ])('refuses %s (ERR_POLICY_UNSAFE) and keeps the last good set', (_what, loosen) => {
    home.write({ 'main.cedar': permitJwt('jwt') });
    const engine = home.engine();
    writeFileSync(join(home.dir, 'zz.cedar'), 'permit (principal, action, resource);');
    loosen(home.dir);
    const result = engine.reload();
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('ERR_POLICY_UNSAFE');
    expect(!result.ok && result.error.message).toMatch(/writable/);
    expect(engine.policies().map((p) => p.id)).toEqual(['main.cedar:jwt']);
    // What was refused is named by hash too, for the audit row.
    expect(result.files.map((f) => f.name)).toEqual(['main.cedar', 'zz.cedar']);
  });

  it('loads from a dir held by a sticky world-writable parent, as /tmp is: others cannot swap it', () => {
    home.write({ 'main.cedar': permitJwt('jwt') });
    chmodSync(dirname(home.dir), 0o1777);
    const result = home.engine().reload();
    expect(result.ok).toBe(true);
    // The policy dir itself stays strict: sticky or not, others could add files to it.
    chmodSync(home.dir, 0o1777);
    const loose = home.engine().reload();
    expect(!loose.ok && loose.error.code).toBe('ERR_POLICY_UNSAFE');
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a file owned by another (non-root) user', () => {
    home.write({ 'main.cedar': permitJwt('jwt'), 'zz.cedar': permitJwt('planted') });
    chownSync(join(home.dir, 'zz.cedar'), 65534, 65534);
    const result = home.engine().reload();
    expect(!result.ok && result.error.message).toMatch(/zz\.cedar: refused: owned by uid 65534/);
  });

  it('names every file it loaded with its sha256', () => {
    home.write({ 'main.cedar': permitJwt('jwt') });
    const result = home.engine().reload();
    expect(result).toMatchObject({
      ok: true,
      files: [{ name: 'main.cedar', sha256: createHash('sha256').update(permitJwt('jwt')).digest('hex') }],
    });
  });
});
