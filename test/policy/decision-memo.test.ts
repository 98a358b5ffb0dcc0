/**
 * The engine remembers Cedar's answers to identical requests (src/policy/decision-memo.ts). These
 * tests attack the memo: a request that differs in anything a policy can read (path, method, time,
 * process, human) must be decided afresh, and a reload must never let an answer of the old set
 * stand. Each fails when the memo keys on less than the whole request or outlives its set.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DecisionMemo } from '../../src/policy/decision-memo.js';
import { type PolicyEngine, type PolicyInput, whatIfInput } from '../../src/policy/index.js';
import { makePolicyHome, NOW, type PolicyHome, UID } from './helpers.js';

const ONLY_MODELS = `@id("models")
permit (principal == Agent::"claude", action == Action::"http", resource == Route::"openai")
when { context.request.path like "/v1/models*" && context.request.method == "GET" && context.request.time < 1748779260 };`;
const NOT_WEB = `@id("not-web")
forbid (principal, action, resource) when { context.process has repo && context.process.repo like "*web*" };`;

function request(path: string, extra: Partial<PolicyInput> = {}, method = 'GET'): PolicyInput {
  const input = whatIfInput(
    {
      agent: 'claude',
      credential: 'openai',
      type: 'http',
      request: { method, host: 'api.openai.com', path, route: 'openai' },
    },
    { uid: UID, now: NOW },
  );
  return {
    ...input,
    credential: {
      ...input.credential,
      entity: 'Route',
      route: { upstream: 'https://api.openai.com', credential: 'k' },
    },
    ...extra,
  };
}

describe('decision memo', () => {
  let home: PolicyHome;
  let engine: PolicyEngine;
  beforeEach(() => {
    home = makePolicyHome();
    home.write({ 'gateway.cedar': `${ONLY_MODELS}\n${NOT_WEB}` });
    engine = home.engine();
  });
  afterEach(() => home.cleanup());

  it('gives an identical request the same answer, again and again', () => {
    const first = engine.decide(request('/v1/models'));
    expect(first).toMatchObject({ decision: 'allow', policyIds: ['gateway.cedar:models'] });
    for (let i = 0; i < 3; i++) expect(engine.decide(request('/v1/models'))).toEqual(first);
  });

  it('decides afresh whatever a policy can read differs: path, method, time, process', () => {
    expect(engine.decide(request('/v1/models')).decision).toBe('allow');
    expect(engine.decide(request('/v1/files')).decision).toBe('deny');
    expect(engine.decide(request('/v1/models', {}, 'DELETE')).decision).toBe('deny');
    // A minute later the time condition no longer holds.
    expect(engine.decide(request('/v1/models', { time: new Date(NOW.getTime() + 60_000) })).decision).toBe(
      'deny',
    );
    const base = request('/v1/models');
    const inWeb = { ...base.process, repo: { root: '/src/web', remote: 'git@github.com:acme/web.git' } };
    expect(engine.decide({ ...base, process: inWeb })).toMatchObject({
      decision: 'deny',
      policyIds: ['gateway.cedar:not-web'],
    });
    expect(engine.decide(request('/v1/models')).decision).toBe('allow');
  });

  it('forgets every answer when the policy set is reloaded', () => {
    expect(engine.decide(request('/v1/models')).decision).toBe('allow');
    home.write({ 'gateway.cedar': NOT_WEB });
    expect(engine.reload().ok).toBe(true);
    expect(engine.decide(request('/v1/models'))).toMatchObject({ decision: 'deny', policyIds: [] });
    // And back: the set compiled into the same slot ids as before must not revive an old answer.
    home.write({ 'gateway.cedar': `${ONLY_MODELS}\n${NOT_WEB}` });
    expect(engine.reload().ok).toBe(true);
    expect(engine.decide(request('/v1/models')).decision).toBe('allow');
    home.write({ 'gateway.cedar': NOT_WEB });
    expect(engine.reload().ok).toBe(true);
    expect(engine.decide(request('/v1/models')).decision).toBe('deny');
  });

  it('is bounded: the oldest answer makes room', () => {
    const memo = new DecisionMemo<number>(2);
    let asked = 0;
    const decide = (n: number) => () => {
      asked += 1;
      return n;
    };
    expect(memo.answer('a', decide(1))).toBe(1);
    expect(memo.answer('b', decide(2))).toBe(2);
    expect(memo.answer('a', decide(9))).toBe(1);
    expect(asked).toBe(2);
    expect(memo.answer('c', decide(3))).toBe(3);
    // 'a' was the oldest in: it went, and is asked again.
    expect(memo.answer('a', decide(4))).toBe(4);
    expect(asked).toBe(4);
  });
});
