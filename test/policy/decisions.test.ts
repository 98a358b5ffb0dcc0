/**
 * Table tests over the default policy and each shipped example (uncommented), through the same
 * engine the daemon uses: agent × human group × repo × credential → decision and the policies
 * that decided.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY_FILE,
  defaultPolicy,
  EXAMPLES_FILE,
  examplesFile,
  POLICY_EXAMPLES,
  type PolicyEngine,
  type WhatIf,
  whatIfInput,
} from '../../src/policy/index.js';
import { makePolicyHome, NOW, type PolicyHome, UID } from './helpers.js';

const INFRA = 'git@github.com:acme/infra.git';
const WEB = 'git@github.com:acme/web.git';
const JWT_OWN_UID = `${DEFAULT_POLICY_FILE}:jwt-own-uid`;
const AWS_INFRA = `${EXAMPLES_FILE}:claude-aws-readonly-in-infra`;
const FORBID_UNKNOWN = `${EXAMPLES_FILE}:forbid-unknown-agents`;
const PROD_SSO = `${EXAMPLES_FILE}:production-needs-sso`;
const OPENAI_GATEWAY = `${EXAMPLES_FILE}:claude-openai-via-gateway`;

type Case = [name: string, spec: WhatIf, expected: 'allow' | 'deny', policyIds: string[]];

const defaultOnly: Case[] = [
  ['claude gets an identity token', { agent: 'claude', credential: 'identity' }, 'allow', [JWT_OWN_UID]],
  ['unknown gets an identity token', { agent: 'unknown', credential: 'identity' }, 'allow', [JWT_OWN_UID]],
  ['another jwt credential', { agent: 'claude', credential: 'ci-api', type: 'jwt' }, 'allow', [JWT_OWN_UID]],
  ['jwt for another uid', { agent: 'claude', credential: 'identity', uid: UID + 1 }, 'deny', []],
  [
    'aws',
    { agent: 'claude', credential: 'aws-readonly', type: 'aws', groups: ['platform'], repo: INFRA },
    'deny',
    [],
  ],
  ['git', { agent: 'claude', credential: 'github', type: 'git', repo: INFRA }, 'deny', []],
  ['static', { agent: 'claude', credential: 'npm-token', type: 'static' }, 'deny', []],
  ['mcp', { agent: 'claude', credential: 'jira', type: 'mcp' }, 'deny', []],
  ['http', gateway('/v1/models'), 'deny', []],
];

const withExamples: Case[] = [
  ...defaultOnly.filter(
    ([, spec]) => spec.agent !== 'unknown' && spec.type !== 'aws' && spec.type !== 'http',
  ),
  ['unknown is forbidden even a jwt', { agent: 'unknown', credential: 'identity' }, 'deny', [FORBID_UNKNOWN]],
  ['unknown aws in infra', aws('unknown', ['platform'], INFRA), 'deny', [FORBID_UNKNOWN]],
  ['claude aws, platform, in infra', aws('claude', ['platform'], INFRA), 'allow', [AWS_INFRA]],
  ['claude aws, platform + dev, in infra', aws('claude', ['dev', 'platform'], INFRA), 'allow', [AWS_INFRA]],
  ['claude aws, dev only, in infra', aws('claude', ['dev'], INFRA), 'deny', []],
  ['claude aws, no groups, in infra', aws('claude', [], INFRA), 'deny', []],
  ['claude aws, platform, in web', aws('claude', ['platform'], WEB), 'deny', []],
  ['claude aws, platform, no repo', aws('claude', ['platform'], undefined), 'deny', []],
  [
    'claude aws, platform, https remote',
    aws('claude', ['platform'], 'https://github.com/acme/infra'),
    'allow',
    [AWS_INFRA],
  ],
  ['codex aws, platform, in infra', aws('codex', ['platform'], INFRA), 'deny', []],
  [
    'claude aws, another credential',
    { ...aws('claude', ['platform'], INFRA), credential: 'aws-admin' },
    'deny',
    [],
  ],
  ['claude git in infra', { agent: 'claude', credential: 'github', type: 'git', repo: INFRA }, 'deny', []],
  ['prod jwt, local human', { agent: 'claude', credential: 'prod-api', type: 'jwt' }, 'deny', [PROD_SSO]],
  [
    'prod jwt, SSO human',
    { agent: 'claude', credential: 'prod-api', type: 'jwt', idp: 'oidc' },
    'allow',
    [JWT_OWN_UID],
  ],
  [
    'non-prod jwt, local human',
    { agent: 'claude', credential: 'staging-api', type: 'jwt' },
    'allow',
    [JWT_OWN_UID],
  ],
  [
    'unknown prod jwt, SSO human',
    { agent: 'unknown', credential: 'prod-api', type: 'jwt', idp: 'oidc' },
    'deny',
    [FORBID_UNKNOWN],
  ],
  [
    'unknown prod jwt, local human: both forbids',
    { agent: 'unknown', credential: 'prod-api', type: 'jwt' },
    'deny',
    [FORBID_UNKNOWN, PROD_SSO],
  ],
  [
    'declared agent in a session',
    { agent: 'demo', evidence: 'declared', credential: 'identity', session: 's1' },
    'allow',
    [JWT_OWN_UID],
  ],
  ['claude http to a model', gateway('/v1/models'), 'allow', [OPENAI_GATEWAY]],
  ['claude http to the admin API', gateway('/v1/organization/users'), 'deny', []],
  ['claude http outside a session', { ...gateway('/v1/models'), session: undefined }, 'deny', []],
  ['claude http, another route', { ...gateway('/v1/models'), credential: 'anthropic' }, 'deny', []],
];

/** A gateway request of claude's, in a session, on the route openai. */
function gateway(path: string): WhatIf {
  return {
    agent: 'claude',
    credential: 'openai',
    type: 'http',
    session: 's1',
    request: { method: 'GET', host: 'api.openai.com', path, route: 'openai' },
  };
}

function aws(agent: string, groups: string[], repo: string | undefined): WhatIf {
  return {
    agent,
    credential: 'aws-readonly',
    type: 'aws',
    groups,
    ...(repo ? { repo, cwd: '/src/infra' } : {}),
  };
}

function table(engine: () => PolicyEngine, cases: Case[]) {
  it.each(cases)('%s', (_name, spec, expected, policyIds) => {
    const decision = engine().decide(whatIfInput(spec, { uid: UID, now: NOW }));
    expect(decision).toMatchObject({ decision: expected, policyIds: [...policyIds].sort(), errors: [] });
    if (expected === 'deny' && policyIds.length === 0) expect(decision.reason).toMatch(/^no policy permits /);
  });
}

describe('the default policy (no policy dir)', () => {
  let home: PolicyHome;
  let engine: PolicyEngine;
  beforeAll(() => {
    home = makePolicyHome();
    engine = home.engine();
  });
  afterAll(() => home.cleanup());

  it('is the built-in default', () => {
    expect(engine.status()).toMatchObject({
      source: 'default',
      files: [DEFAULT_POLICY_FILE],
      policyCount: 1,
      lastError: null,
    });
  });
  table(() => engine, defaultOnly);
});

describe('the default policy as written by init, with every example uncommented', () => {
  let home: PolicyHome;
  let engine: PolicyEngine;
  beforeAll(() => {
    home = makePolicyHome();
    home.write({
      [DEFAULT_POLICY_FILE]: defaultPolicy(UID),
      [EXAMPLES_FILE]: POLICY_EXAMPLES.map((e) => e.policy).join('\n\n'),
    });
    engine = home.engine();
  });
  afterAll(() => home.cleanup());

  it('loads both files', () => {
    expect(engine.status()).toMatchObject({
      source: 'dir',
      files: [DEFAULT_POLICY_FILE, EXAMPLES_FILE],
      policyCount: 1 + POLICY_EXAMPLES.length,
      lastError: null,
    });
  });
  it('has at least 20 cases', () => expect(withExamples.length).toBeGreaterThanOrEqual(20));
  table(() => engine, withExamples);
});

describe('the examples file init writes', () => {
  it('holds every example commented out, so it loads as zero policies', () => {
    const home = makePolicyHome();
    try {
      home.write({ [EXAMPLES_FILE]: examplesFile() });
      expect(home.engine().status()).toMatchObject({ policyCount: 0, lastError: null });
      for (const example of POLICY_EXAMPLES) {
        for (const line of example.policy.split('\n')) expect(examplesFile()).toContain(`// ${line}\n`);
      }
    } finally {
      home.cleanup();
    }
  });
});
