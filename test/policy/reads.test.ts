/**
 * A decision hands Cedar only what the bucket's policies read (src/policy/reads.ts). The reads are
 * table-tested per kind of expression, and the engine's pruned decisions are checked against
 * Cedar deciding the full request over the whole set, for every shipped policy and policies that
 * read in the ways that must keep more (entity literals, whole records, `if`, `has` paths).
 */
import { isAuthorized, policyToJson } from '@cedar-policy/cedar-wasm/nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCedarRequest,
  defaultPolicy,
  loadPolicies,
  POLICY_EXAMPLES,
  type PolicyEngine,
  type PolicyInput,
  whatIfInput,
} from '../../src/policy/index.js';
import { type PolicyReads, policyReads, pruneRequest, type ReadTree } from '../../src/policy/reads.js';
import { makePolicyHome, NOW, type PolicyHome, UID } from './helpers.js';

function readsOf(...texts: string[]): PolicyReads {
  return policyReads(
    texts.map((text) => {
      const answer = policyToJson(text);
      if (answer.type === 'failure') throw new Error(answer.errors.map((e) => e.message).join('; '));
      return answer.json;
    }),
  );
}

/** `context.process.repo` for a path read, the variable alone when it is kept whole. */
function paths(reads: PolicyReads): string[] {
  const out: string[] = [];
  const walk = (tree: ReadTree, at: string) => {
    if (tree.whole) out.push(at);
    else for (const [attr, below] of tree.attrs) walk(below, `${at}.${attr}`);
  };
  for (const variable of ['context', 'principal', 'resource'] as const) walk(reads[variable], variable);
  return out.sort();
}

const permit = (when: string) => `permit (principal, action, resource) when { ${when} };`;

describe('policyReads', () => {
  it.each([
    [
      'a scope alone reads nothing',
      'permit (principal == Agent::"a", action == Action::"jwt", resource);',
      [],
    ],
    [
      'paths, `has` included, each kept to its leaf',
      permit(
        'context.process has repo && context.process.repo like "*acme*" && context.user.groups.contains("dev")',
      ),
      ['context.process.repo', 'context.user.groups'],
    ],
    ['`has` with a dotted path', permit('context.user has email.x'), ['context.user.email.x']],
    [
      'a record used whole keeps all of it',
      permit('context.process == context.process'),
      ['context.process'],
    ],
    ['context used whole', permit('context == {}'), ['context']],
    [
      'entity attributes by path',
      permit('principal.evidence == "sandbox" && resource.name like "prod-*"'),
      ['principal.evidence', 'resource.name'],
    ],
    ['an entity used as a value keeps its attributes', permit('principal == Agent::"a"'), ['principal']],
    [
      'an attribute of an entity literal keeps both entities whole',
      permit('Agent::"a".name == "a"'),
      ['principal', 'resource'],
    ],
    [
      'a variable picked by `if` is used whole',
      permit('(if context has session then context else context).user.mfa'),
      ['context', 'principal', 'resource'],
    ],
    ['action has no attributes to keep', permit('action == Action::"jwt"'), []],
    ['a literal record reads nothing', permit('{ "a": 1 }.a == 1'), ['principal', 'resource']],
  ])('%s', (_name, text, expected) => {
    expect(paths(readsOf(text))).toEqual(expected);
  });

  it('unions the reads of every policy, and a whole value absorbs its paths', () => {
    const reads = readsOf(
      permit('context.user.mfa'),
      permit('context.user == context.user'),
      permit('resource.name == "x"'),
    );
    expect(paths(reads)).toEqual(['context.user', 'resource.name']);
  });
});

const input = whatIfInput(
  {
    agent: 'claude',
    credential: 'aws-readonly',
    type: 'aws',
    groups: ['platform'],
    repo: 'git@github.com:acme/infra.git',
    cwd: '/src/infra',
    email: 'a@acme.com',
    session: 's1',
  },
  { uid: UID, now: NOW },
);

describe('pruneRequest', () => {
  it('keeps exactly what is read, and leaves out absent values rather than inventing them', () => {
    const reads = readsOf(
      permit('context.process has repo && context.process.repo like "*infra*" && context.user has email'),
      permit('context has session && resource.name == "x"'),
    );
    const full = buildCedarRequest(input);
    const pruned = pruneRequest(full, reads);
    expect(pruned.context).toEqual({
      process: { repo: 'git@github.com:acme/infra.git' },
      user: { email: 'a@acme.com' },
      session: full.context.session,
    });
    expect(pruned.entities).toEqual([
      { uid: full.principal, attrs: {}, parents: [] },
      { uid: full.resource, attrs: { name: 'aws-readonly' }, parents: [] },
    ]);
    const noSession = pruneRequest(buildCedarRequest({ ...input, session: null }), reads);
    expect(noSession.context).not.toHaveProperty('session');
    expect(pruneRequest(full, readsOf(permit('context == {}'))).context).toBe(full.context);
  });
});

/** Policies that read in every way reads.ts distinguishes, beside the shipped ones. */
const TRICKY = `
@id("literal-entity") permit (principal, action == Action::"git", resource) when { Agent::"claude".evidence == "selector" };
@id("whole-process") forbid (principal, action == Action::"static", resource) when { context.process == context.process && context.process.uid == ${UID + 1} };
@id("if-session") permit (principal, action == Action::"static", resource) when { if context has session then context.session.via == "sandbox" else false };
@id("email-domain") permit (principal, action == Action::"jwt", resource) when { context.user has email && context.user.email like "*@acme.com" };
@id("principal-attr") forbid (principal, action == Action::"aws", resource) when { principal.evidence == "none" };
@id("ancestor") permit (principal, action == Action::"aws", resource) when { context.process.ancestors.contains("/usr/bin/tmux") && context.request.time > 0 };
`;

describe('decisions on pruned requests', () => {
  let home: PolicyHome;
  let engine: PolicyEngine;
  const files = [
    { name: 'default.cedar', text: defaultPolicy(UID) },
    { name: 'examples.cedar', text: POLICY_EXAMPLES.map((e) => e.policy).join('\n\n') },
    { name: 'tricky.cedar', text: TRICKY },
  ];

  beforeAll(() => {
    home = makePolicyHome();
    home.write(Object.fromEntries(files.map((f) => [f.name, f.text])));
    engine = home.engine();
  });
  afterAll(() => home.cleanup());

  it('equal Cedar deciding the full request over the whole set, for every input of a grid', () => {
    const loaded = loadPolicies(files);
    if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join('; '));
    expect(engine.status().policyCount).toBe(loaded.policies.length);
    const staticPolicies = Object.fromEntries(loaded.policies.map((p) => [p.id, p.text]));
    let allowed = 0;
    let compared = 0;
    for (const agent of ['claude', 'unknown', 'codex']) {
      for (const type of ['jwt', 'aws', 'git', 'static']) {
        for (const session of [undefined, 's1']) {
          for (const variant of [0, 1, 2]) {
            const decided = whatIfInput(
              {
                agent,
                type,
                credential: variant === 2 ? 'prod-db' : 'aws-readonly',
                groups: variant === 0 ? ['platform'] : [],
                repo: variant === 1 ? 'git@github.com:acme/web.git' : 'git@github.com:acme/infra.git',
                cwd: '/src/x',
                email: variant === 0 ? 'a@acme.com' : undefined,
                idp: variant === 2 ? 'oidc' : 'local',
                uid: variant === 1 ? UID + 1 : UID,
                mfa: variant === 0,
                evidence: agent === 'unknown' ? 'none' : session ? 'sandbox' : 'selector',
                session,
              },
              { uid: UID, now: NOW },
            );
            const withAncestors: PolicyInput = {
              ...decided,
              process: { ...decided.process, ancestors: variant === 0 ? [{ exe: '/usr/bin/tmux' }] : [] },
            };
            const answer = isAuthorized({
              ...buildCedarRequest(withAncestors),
              policies: { staticPolicies },
            });
            if (answer.type === 'failure') throw new Error(answer.errors.map((e) => e.message).join('; '));
            const ours = engine.decide(withAncestors);
            const label = JSON.stringify({ agent, type, session, variant });
            expect({ label, decision: ours.decision, errors: ours.errors.length }).toEqual({
              label,
              decision: answer.response.decision,
              errors: answer.response.diagnostics.errors.length,
            });
            if (ours.errors.length === 0) {
              expect({ label, ids: ours.policyIds }).toEqual({
                label,
                ids: [...answer.response.diagnostics.reason].sort(),
              });
            }
            if (ours.decision === 'allow') allowed += 1;
            compared += 1;
          }
        }
      }
    }
    // The grid reaches both answers, so the comparison is not of denials only.
    expect(compared).toBe(72);
    expect(allowed).toBeGreaterThan(10);
    expect(allowed).toBeLessThan(compared);
  });
});
