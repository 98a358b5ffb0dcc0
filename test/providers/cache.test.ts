import { describe, expect, it } from 'vitest';
import type { Issued, IssueRequest } from '../../src/providers/index.js';
import { CredentialCache } from '../../src/providers/index.js';

const request = (over: Partial<IssueRequest> = {}): IssueRequest => ({
  credential: 'dev',
  agent: 'claude',
  human: 'local:alice@host',
  scope: 'default',
  ...over,
});

function setup() {
  let now = new Date('2026-11-28T12:00:00Z');
  const cache = new CredentialCache({ now: () => now });
  let calls = 0;
  const issue =
    (ttlMinutes = 15) =>
    async (): Promise<Issued<string>> => {
      calls += 1;
      return {
        value: `secret-${calls}`,
        expiresAt: new Date(now.getTime() + ttlMinutes * 60_000),
        fingerprint: `fp-${calls}`,
        details: {},
      };
    };
  return { cache, issue, calls: () => calls, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('CredentialCache', () => {
  it('reuses a credential until 5 minutes before it expires, then issues a new one', async () => {
    const t = setup();
    expect((await t.cache.get(request(), t.issue())).cached).toBe(false);
    t.advance(9 * 60_000);
    const hit = await t.cache.get(request(), t.issue());
    expect(hit).toMatchObject({ cached: true, issued: { value: 'secret-1' } });
    t.advance(60_001); // 10 min + 1 ms: inside the 5-minute margin of a 15-minute credential
    const renewed = await t.cache.get(request(), t.issue());
    expect(renewed).toMatchObject({ cached: false, issued: { value: 'secret-2' } });
    expect(t.calls()).toBe(2);
  });

  it.each([
    ['agent', { agent: 'codex' }],
    ['human', { human: 'local:bob@host' }],
    ['scope', { scope: 'other-repo' }],
    ['credential', { credential: 'prod' }],
  ])('never shares across a different %s', async (_what, other) => {
    const t = setup();
    await t.cache.get(request(), t.issue());
    const second = await t.cache.get(request(other), t.issue());
    expect(second.cached).toBe(false);
    expect(t.calls()).toBe(2);
  });

  it('does not let a name with separators collide with another tuple', async () => {
    const t = setup();
    await t.cache.get(request({ agent: 'a', human: 'b|c' }), t.issue());
    expect((await t.cache.get(request({ agent: 'a|b', human: 'c' }), t.issue())).cached).toBe(false);
  });

  it('shares one upstream call between concurrent requests for the same key', async () => {
    const t = setup();
    const results = await Promise.all(Array.from({ length: 10 }, () => t.cache.get(request(), t.issue())));
    expect(t.calls()).toBe(1);
    expect(new Set(results.map((r) => r.issued.value))).toEqual(new Set(['secret-1']));
  });

  it('does not cache a failure, nor a credential too short-lived to reuse', async () => {
    const t = setup();
    await expect(t.cache.get(request(), () => Promise.reject(new Error('sts down')))).rejects.toThrow(
      'sts down',
    );
    expect((await t.cache.get(request(), t.issue(5))).cached).toBe(false);
    expect((await t.cache.get(request(), t.issue(5))).cached).toBe(false);
    expect(t.calls()).toBe(2);
  });
});
