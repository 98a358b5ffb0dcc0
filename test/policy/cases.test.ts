/** Policy test files: strict parsing (TOML and JSON), and cases run through the engine. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PolicyEngine, parsePolicyCases, runPolicyCases } from '../../src/policy/index.js';
import { makePolicyHome, NOW, type PolicyHome, UID } from './helpers.js';

const TOML = `
[[case]]
name = "claude gets identity"
agent = "claude"
credential = "identity"
expect = "allow"
policies = ["default.cedar:jwt-own-uid"]

[[case]]
agent = "claude"
credential = "aws-readonly"
type = "aws"
groups = ["platform"]
repo = "git@github.com:acme/infra.git"
expect = "allow"
`;

describe('policy test cases', () => {
  let home: PolicyHome;
  let engine: PolicyEngine;
  beforeAll(() => {
    home = makePolicyHome();
    engine = home.engine();
  });
  afterAll(() => home.cleanup());

  it('parses TOML and JSON alike, naming unnamed cases', () => {
    const fromToml = parsePolicyCases(TOML, 't.toml');
    expect(fromToml.map((c) => c.name)).toEqual(['claude gets identity', 'claude aws aws-readonly']);
    expect(parsePolicyCases(JSON.stringify({ case: fromToml }), 't.json')).toEqual(fromToml);
    expect(parsePolicyCases(JSON.stringify(fromToml), 't.json')).toEqual(fromToml);
  });

  it.each([
    [
      '[[case]]\nagent = "a"\ncredential = "c"\nexpect = "allow"\ngroup = ["x"]\n',
      'case 1: unknown key "group"',
    ],
    [
      '[[case]]\nagent = "a"\ncredential = "c"\nexpect = "yes"\n',
      'case 1: "expect" must be "allow" or "deny"',
    ],
    ['[[case]]\nagent = "a"\nexpect = "deny"\n', 'case 1: "credential" is required'],
    [
      '[[case]]\nagent = "a"\ncredential = "c"\nexpect = "deny"\ngroups = "x"\n',
      '"groups" must be a list of strings',
    ],
    ['title = "no cases"\n', 'no cases'],
    ['[[case]\n', 't.toml: '],
  ])('refuses %j with ERR_USAGE naming %s', (text, needle) => {
    expect(() => parsePolicyCases(text, 't.toml')).toThrow(
      expect.objectContaining({ code: 'ERR_USAGE', message: expect.stringContaining(needle) }),
    );
  });

  it('passes a case that matches and fails one that does not', () => {
    const results = runPolicyCases(engine, parsePolicyCases(TOML, 't.toml'), { uid: UID, now: NOW });
    expect(results.map((r) => [r.case.name, r.ok, r.actual.decision])).toEqual([
      ['claude gets identity', true, 'allow'],
      ['claude aws aws-readonly', false, 'deny'],
    ]);
  });

  it('fails a case whose decision matches but whose determining policies do not', () => {
    const cases = parsePolicyCases(
      '[[case]]\nagent = "a"\ncredential = "identity"\nexpect = "allow"\npolicies = ["other.cedar:x"]\n',
      't.toml',
    );
    expect(runPolicyCases(engine, cases, { uid: UID, now: NOW })[0]?.ok).toBe(false);
  });
});
