/** explainDecision: for a deny, the closest permit and which of its parts failed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainDecision, type PolicyEngine, type WhatIf, whatIfInput } from '../../src/policy/index.js';
import { makePolicyHome, NOW, type PolicyHome, UID } from './helpers.js';

const POLICIES = `@id("aws-infra")
permit (principal == Agent::"claude", action == Action::"aws", resource == Credential::"aws-readonly")
when {
  context.process has repo &&
  context.process.repo like "*acme/infra*" &&
  context.user.groups.contains("platform")
};

@id("git-any")
permit (principal, action == Action::"git", resource);

@id("no-prod-local")
forbid (principal, action, resource) when { resource.name like "prod-*" } unless { context.user.idp == "oidc" };

@id("prod-git")
permit (principal, action == Action::"git", resource == Credential::"prod-repo")
unless { context.user.idp == "local" };
`;

describe('explainDecision', () => {
  let home: PolicyHome;
  let engine: PolicyEngine;
  beforeAll(() => {
    home = makePolicyHome();
    home.write({ 'p.cedar': POLICIES });
    engine = home.engine();
  });
  afterAll(() => home.cleanup());
  const explain = (spec: WhatIf) => {
    const input = whatIfInput(spec, { uid: UID, now: NOW });
    return explainDecision(engine.policies(), input, engine.decide(input));
  };

  it('names the failed group condition of the closest permit', () => {
    const e = explain({
      agent: 'claude',
      credential: 'aws-readonly',
      type: 'aws',
      repo: 'git@github.com:acme/infra',
    });
    expect(e.decision.decision).toBe('deny');
    expect(e.closestPermit).toEqual({
      id: 'p.cedar:aws-infra',
      file: 'p.cedar',
      line: 1,
      failed: [{ part: 'when', text: 'context.user.groups.contains("platform")', error: null }],
    });
  });

  it('names every failed part, including a guarded attribute that is missing', () => {
    const e = explain({ agent: 'claude', credential: 'aws-readonly', type: 'aws' });
    expect(e.closestPermit?.failed.map((f) => [f.part, f.text, f.error !== null])).toEqual([
      ['when', 'context.process has repo', false],
      ['when', 'context.process.repo like "*acme/infra*"', true],
      ['when', 'context.user.groups.contains("platform")', false],
    ]);
  });

  it('weighs a scope mismatch above failed conditions', () => {
    const e = explain({ agent: 'codex', credential: 'aws-readonly', type: 'aws', groups: ['platform'] });
    expect(e.closestPermit?.id).toBe('p.cedar:aws-infra');
    expect(e.closestPermit?.failed[0]).toEqual({
      part: 'principal',
      text: 'principal == Agent::"claude"',
      error: null,
    });
  });

  it('shows the forbid that decided and the permit it overrode', () => {
    const e = explain({ agent: 'claude', credential: 'prod-repo', type: 'git', idp: 'local' });
    expect(e.determining).toEqual([
      { id: 'p.cedar:no-prod-local', file: 'p.cedar', line: 12, effect: 'forbid' },
    ]);
    expect(e.closestPermit).toMatchObject({ id: 'p.cedar:git-any', failed: [] });
  });

  it('reports an unless that holds', () => {
    const prodGit = engine.policies().filter((p) => p.id === 'p.cedar:prod-git');
    const input = whatIfInput({ agent: 'x', credential: 'prod-repo', type: 'git' }, { uid: UID, now: NOW });
    const e = explainDecision(prodGit, input, engine.decide(input));
    expect(e.closestPermit?.failed).toEqual([
      { part: 'unless', text: 'context.user.idp == "local"', error: null },
    ]);
  });

  it('has nothing to add for an allow', () => {
    const e = explain({ agent: 'claude', credential: 'repo', type: 'git' });
    expect(e).toMatchObject({ decision: { decision: 'allow' }, closestPermit: null });
    expect(e.determining).toEqual([{ id: 'p.cedar:git-any', file: 'p.cedar', line: 9, effect: 'permit' }]);
  });
});
