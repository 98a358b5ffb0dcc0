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
const DEPLOY_SANDBOXED = `${EXAMPLES_FILE}:claude-deploy-key-only-sandboxed`;
const NEEDS_SESSION = `${DEFAULT_POLICY_FILE}:beyond-identity-needs-session`;
const IN_SANDBOX = { evidence: 'sandbox', session: 's1' } as const;
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
    [NEEDS_SESSION],
  ],
  ['git', { agent: 'claude', credential: 'github', type: 'git', repo: INFRA }, 'deny', [NEEDS_SESSION]],
  ['static', { agent: 'claude', credential: 'npm-token', type: 'static' }, 'deny', [NEEDS_SESSION]],
  ['mcp', { agent: 'claude', credential: 'jira', type: 'mcp' }, 'deny', [NEEDS_SESSION]],
  [
    'static, named by sha256 outside a session',
    { agent: 'claude', evidence: 'selector-sha256', credential: 'npm-token', type: 'static' },
    'deny',
    [NEEDS_SESSION],
  ],
  [
    'static in a sandbox: no forbid, but no permit either',
    { agent: 'claude', credential: 'npm-token', type: 'static', ...IN_SANDBOX },
    'deny',
    [],
  ],
  ['http in a sandbox: no permit', gateway('/v1/models'), 'deny', []],
  [
    'http by selectors',
    { ...gateway('/v1/models'), evidence: 'selector', session: undefined },
    'deny',
    [NEEDS_SESSION],
  ],
];

const withExamples: Case[] = [
  ...defaultOnly.filter(([, spec]) => spec.agent !== 'unknown' && spec.type !== 'aws' && !spec.session),
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
  [
    'claude aws, platform, in infra, named by selectors only',
    { ...aws('claude', ['platform'], INFRA), evidence: 'selector-sha256', session: undefined },
    'deny',
    [NEEDS_SESSION],
  ],
  [
    'claude aws, platform, in infra, subreaper session',
    { ...aws('claude', ['platform'], INFRA), evidence: 'session', via: 'subreaper' },
    'allow',
    [AWS_INFRA],
  ],
  ['claude deploy-key in its sandbox', deployKey('sandbox'), 'allow', [DEPLOY_SANDBOXED]],
  ['claude deploy-key in a subreaper session', deployKey('session'), 'deny', []],
  [
    'claude deploy-key by selectors',
    { ...deployKey('selector-sha256'), session: undefined },
    'deny',
    [NEEDS_SESSION],
  ],
  [
    'claude git in infra',
    { agent: 'claude', credential: 'github', type: 'git', repo: INFRA },
    'deny',
    [NEEDS_SESSION],
  ],
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
  ['claude http, another route', { ...gateway('/v1/models'), credential: 'anthropic' }, 'deny', []],
];

/** A gateway request of claude's, in its sandboxed session, on the route openai. */
function gateway(path: string): WhatIf {
  return {
    agent: 'claude',
    credential: 'openai',
    type: 'http',
    ...IN_SANDBOX,
    request: { method: 'GET', host: 'api.openai.com', path, route: 'openai' },
  };
}

/** The examples' AWS request, from inside a sandboxed session. */
function aws(agent: string, groups: string[], repo: string | undefined): WhatIf {
  return {
    agent,
    credential: 'aws-readonly',
    type: 'aws',
    groups,
    ...IN_SANDBOX,
    ...(repo ? { repo, cwd: '/src/infra' } : {}),
  };
}

function deployKey(evidence: string): WhatIf {
  return { agent: 'claude', credential: 'deploy-key', type: 'static', evidence, session: 's1' };
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
      policyCount: 2,
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
      policyCount: 2 + POLICY_EXAMPLES.length,
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

describe('inside a session, every agent the session is bound by decides too', () => {
  let home: PolicyHome;
  let engine: PolicyEngine;
  beforeAll(() => {
    home = makePolicyHome();
    home.write({
      'bots.cedar':
        '@id("other-bot-static")\npermit (principal == Agent::"other-bot", action == Action::"static", resource);\n',
    });
    engine = home.engine();
  });
  afterAll(() => home.cleanup());
  const input = (bounds: string[]) => ({
    ...whatIfInput({ agent: 'other-bot', credential: 'npm', type: 'static' }, { uid: UID, now: NOW }),
    session: { id: 'inner', via: 'sandbox' as const, bounds },
  });

  it('allows what the agent and every bound may have', () => {
    expect(engine.decide(input(['other-bot']))).toMatchObject({
      decision: 'allow',
      policyIds: ['bots.cedar:other-bot-static'],
    });
  });

  it("denies what an outer session's agent may not have, and says which bound denied", () => {
    const decision = engine.decide(input(['evil', 'other-bot']));
    expect(decision.decision).toBe('deny');
    expect(decision.reason).toMatch(
      /^it runs in session inner, bound by agent evil, and for evil: no policy permits/,
    );
  });
});
