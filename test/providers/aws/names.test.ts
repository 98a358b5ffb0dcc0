import { describe, expect, it } from 'vitest';
import { roleSessionName, sessionTags, sourceIdentity, tagValue } from '../../../src/providers/aws/names.js';

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

describe('roleSessionName', () => {
  it.each([
    ['demo', 'local:alice@laptop', /^demo\.alice-[0-9a-f]{8}$/],
    ['claude', 'alice@example.com', /^claude\.alice-[0-9a-f]{8}$/],
    ['my agent/v2', 'local:bob@h', /^my-agent-v2\.bob-[0-9a-f]{8}$/],
    ['a'.repeat(80), 'local:carol@h', /^a+\.carol-[0-9a-f]{8}$/],
    ['demo', `local:${'x'.repeat(100)}@h`, /^demo\.x{16}-[0-9a-f]{8}$/],
    ['', 'local:d@h', /^agent\.d-[0-9a-f]{8}$/],
  ])('%j for %j is valid for STS and names the agent first', (agent, human, shape) => {
    const name = roleSessionName(agent, human);
    expect(name).toMatch(SESSION_NAME);
    expect(name).toMatch(shape);
  });

  it('keeps two humans with the same user name apart', () => {
    expect(roleSessionName('demo', 'local:alice@a')).not.toBe(roleSessionName('demo', 'local:alice@b'));
  });
});

describe('sourceIdentity', () => {
  it.each([
    ['alice@example.com', 'alice@example.com'],
    ['local:alice@laptop', /^local-alice@laptop-[0-9a-f]{8}$/],
    ['aws:root', /^aws-root-[0-9a-f]{8}$/],
    ['x', /^x-[0-9a-f]{8}$/],
    ['e'.repeat(70), /^e{55}-[0-9a-f]{8}$/],
  ])('%j → %s', (human, expected) => {
    const value = sourceIdentity(human);
    expect(value).toMatch(SESSION_NAME);
    if (typeof expected === 'string') expect(value).toBe(expected);
    else expect(value).toMatch(expected);
  });

  it('never maps two different humans to one identity', () => {
    expect(sourceIdentity('local:alice@h')).not.toBe(sourceIdentity('local-alice@h'));
  });
});

describe('session tags', () => {
  it('appends agentid-agent and agentid-human after the configured tags', () => {
    expect(sessionTags('demo', 'local:alice@h', { team: 'infra' })).toEqual([
      { Key: 'team', Value: 'infra' },
      { Key: 'agentid-agent', Value: 'demo' },
      { Key: 'agentid-human', Value: 'local:alice@h' },
    ]);
  });

  it.each([
    ['local:alice@h', 'local:alice@h'],
    ['a|b', /^a_b-[0-9a-f]{8}$/],
    ['v'.repeat(300), /^v{247}-[0-9a-f]{8}$/],
  ])('tag value %j → %s', (value, expected) => {
    const tag = tagValue(value);
    expect(tag.length).toBeLessThanOrEqual(256);
    if (typeof expected === 'string') expect(tag).toBe(expected);
    else expect(tag).toMatch(expected);
  });
});
