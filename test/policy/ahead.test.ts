/**
 * decideAhead: the exec pre-check, against real Cedar. What the later request will carry (its
 * process, repo, path, time) is unknown: a policy that may permit once it is known passes, and only
 * "no permit can apply" or "a forbid applies regardless" denies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PolicyInput } from '../../src/policy/index.js';
import { makePolicyHome, type PolicyHome } from './helpers.js';

const human = { sub: 'local:alice@host', idp: 'local', groups: ['dev'] };
const demo: PolicyInput['agent'] = { name: 'demo', evidence: 'declared', matched: [] };
const git = { name: 'gh', type: 'git' as const };

describe('decideAhead (exec pre-check)', () => {
  let home: PolicyHome;
  afterEach(() => home.cleanup());
  const ahead = (policies: string, agents = [demo], credential = git) => {
    home = makePolicyHome();
    home.write({ 'p.cedar': policies });
    return home.engine().decideAhead({ agents, human, credential });
  };

  it.each([
    ['no policy at all', '', 'deny'],
    ['a permit for another agent', 'permit(principal == Agent::"claude", action, resource);', 'deny'],
    [
      'a permit for another credential',
      'permit(principal, action, resource == Credential::"other");',
      'deny',
    ],
    ['a permit for another action', 'permit(principal, action == Action::"aws", resource);', 'deny'],
    [
      'a permit on the repository path, known only when git asks',
      'permit(principal == Agent::"demo", action == Action::"git", resource) when { context.request has gitPath && context.request.gitPath like "acme/*" };',
      'allow',
    ],
    [
      'a permit on the process, known only when git asks',
      'permit(principal, action, resource) when { context.process has repo && context.process.repo like "*acme*" };',
      'allow',
    ],
    [
      'a permit on the time of day',
      'permit(principal, action, resource) when { context.request.time > 0 };',
      'allow',
    ],
    [
      'a permit on the human, who is known now, and matches',
      'permit(principal, action, resource) when { context.user.groups.contains("dev") };',
      'allow',
    ],
    [
      'a permit on the human, who does not match',
      'permit(principal, action, resource) when { context.user.groups.contains("ops") };',
      'deny',
    ],
    [
      'a permit and a forbid for the agent regardless of the request',
      'permit(principal, action, resource);\nforbid(principal == Agent::"demo", action == Action::"git", resource);',
      'deny',
    ],
    [
      'a permit and a forbid that depends on the request',
      'permit(principal, action, resource);\nforbid(principal, action, resource) when { context.request has gitPath && context.request.gitPath == "acme/secret" };',
      'allow',
    ],
    [
      'a permit and a forbid on the human',
      'permit(principal, action, resource);\nforbid(principal, action, resource) when { context.user.idp == "local" };',
      'deny',
    ],
  ])('%s: %s', (_, policies, decision) => {
    expect(ahead(policies).decision).toBe(decision);
  });

  it('names what denied: the forbid, or that no permit can apply', () => {
    expect(
      ahead('@id("never") forbid(principal, action, resource);\npermit(principal, action, resource);'),
    ).toMatchObject({
      decision: 'deny',
      policyIds: ['p.cedar:never'],
      reason: expect.stringContaining('forbidden by p.cedar:never whatever the request'),
    });
    expect(ahead('').reason).toBe('no policy can permit git on Credential::"gh" for Agent::"demo"');
  });

  it('passes when any agent the session may be named could be permitted', () => {
    const claude: PolicyInput['agent'] = { name: 'claude', evidence: 'selector', matched: ['exe'] };
    const onlyClaude =
      'permit(principal == Agent::"claude", action, resource) when { principal.evidence == "selector" };';
    expect(ahead(onlyClaude, [demo]).decision).toBe('deny');
    expect(ahead(onlyClaude, [demo, claude])).toMatchObject({
      decision: 'allow',
      reason: expect.stringContaining('claude'),
    });
  });
});
