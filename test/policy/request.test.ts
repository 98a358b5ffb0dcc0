/**
 * buildCedarRequest: pure, table-tested, and checked with Cedar's own request validation against
 * the shipped schema (the engine skips that per decision for speed, so it is proven here).
 */
import { isAuthorized } from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { buildCedarRequest, POLICY_SCHEMA, type PolicyInput } from '../../src/policy/index.js';

const base: PolicyInput = {
  agent: { name: 'claude', evidence: 'selector', matched: ['sha256', 'cwd'] },
  process: {
    pid: 1234,
    uid: 1000,
    exe: '/usr/bin/node',
    sha256: 'ab'.repeat(32),
    cwd: '/home/me/src/infra',
    repo: { root: '/home/me/src/infra', remote: 'git@github.com:acme/infra.git' },
    ancestors: [{ exe: '/usr/bin/bash' }, { exe: null }, { exe: '/usr/bin/tmux' }, { exe: '/usr/bin/bash' }],
  },
  human: { sub: 'alice@acme', idp: 'oidc', email: 'alice@acme.com', groups: ['platform'], mfa: true },
  session: { id: 's-1', via: 'exec' },
  credential: { name: 'aws-readonly', type: 'aws' },
  request: { awsRole: 'arn:aws:iam::1:role/ro', audience: undefined },
  time: new Date('2025-06-01T12:00:00.900Z'),
};

const sparse: PolicyInput = {
  ...base,
  agent: { name: 'unknown', evidence: 'none', matched: [] },
  process: { pid: 1, uid: 0, exe: '/bin/sh', sha256: null, cwd: null, repo: null, ancestors: [] },
  human: { sub: 'local:me@host', idp: 'local' },
  session: null,
  credential: { name: 'identity', type: 'jwt' },
  request: {},
};

describe('buildCedarRequest', () => {
  it('maps every known fact to the schema names', () => {
    expect(buildCedarRequest(base)).toEqual({
      principal: { type: 'Agent', id: 'claude' },
      action: { type: 'Action', id: 'aws' },
      resource: { type: 'Credential', id: 'aws-readonly' },
      context: {
        user: { sub: 'alice@acme', email: 'alice@acme.com', groups: ['platform'], idp: 'oidc', mfa: true },
        process: {
          pid: 1234,
          uid: 1000,
          exe: '/usr/bin/node',
          sha256: 'ab'.repeat(32),
          cwd: '/home/me/src/infra',
          repo: 'git@github.com:acme/infra.git',
          repoRoot: '/home/me/src/infra',
          ancestors: ['/usr/bin/bash', '/usr/bin/tmux'],
        },
        session: { id: 's-1', via: 'exec' },
        request: { time: 1748779200, awsRole: 'arn:aws:iam::1:role/ro' },
      },
      entities: [
        {
          uid: { type: 'Agent', id: 'claude' },
          attrs: { name: 'claude', evidence: 'selector', matched: ['sha256', 'cwd'] },
          parents: [],
        },
        {
          uid: { type: 'Credential', id: 'aws-readonly' },
          attrs: { name: 'aws-readonly', type: 'aws' },
          parents: [],
        },
      ],
    });
  });

  it('leaves out what is not known instead of sending empty values (Cedar has no null)', () => {
    const { context } = buildCedarRequest(sparse);
    expect(context).toEqual({
      user: { sub: 'local:me@host', groups: [], idp: 'local', mfa: false },
      process: { pid: 1, uid: 0, exe: '/bin/sh', ancestors: [] },
      request: { time: 1748779200 },
    });
  });

  it('refuses a request attribute the schema does not have', () => {
    expect(() => buildCedarRequest({ ...base, request: { repo: 'x' } })).toThrow(
      expect.objectContaining({ code: 'ERR_POLICY_EVALUATION' }),
    );
  });

  const everyRequestField: PolicyInput = {
    ...base,
    request: { audience: 'a', awsRole: 'r', gitHost: 'github.com', gitPath: 'acme/infra', mcpServer: 'jira' },
  };
  const cases: [string, PolicyInput][] = [
    ['every fact', base],
    ['nothing optional', sparse],
    ['every request field', everyRequestField],
    ...(['jwt', 'git', 'static'] as const).map((type): [string, PolicyInput] => [
      type,
      { ...base, credential: { name: 'c', type } },
    ]),
    ...(['Tool', 'Prompt', 'Resource'] as const).map((entity): [string, PolicyInput] => [
      `mcp ${entity}`,
      {
        ...base,
        credential: { name: 'fs/read_file', type: 'mcp', entity },
        request: {
          mcpServer: 'fs',
          mcpMethod: 'tools/call',
          mcpTool: 'read_file',
          mcpPath: '/repo/a',
          mcpArgs: 'ab'.repeat(32),
        },
      },
    ]),
    [
      'http route',
      {
        ...base,
        credential: {
          name: 'openai',
          type: 'http',
          entity: 'Route',
          route: { upstream: 'https://api.openai.com/v1', credential: 'openai-key' },
        },
        request: { method: 'POST', host: 'api.openai.com', path: '/v1/chat/completions', route: 'openai' },
      },
    ],
  ];
  it('names MCP resources by server and name', () => {
    const request = buildCedarRequest({
      ...base,
      credential: { name: 'fs/a/b', type: 'mcp', entity: 'Tool' },
    });
    expect(request.resource).toEqual({ type: 'Tool', id: 'fs/a/b' });
    expect(request.entities[1]?.attrs).toEqual({ server: 'fs', name: 'a/b' });
  });

  it('gives a gateway route its upstream and credential', () => {
    const request = buildCedarRequest({
      ...base,
      credential: {
        name: 'gh',
        type: 'http',
        entity: 'Route',
        route: { upstream: 'https://github.com', credential: 'app' },
      },
      request: { method: 'GET', host: 'github.com', path: '/acme/w.git/info/refs', route: 'gh' },
    });
    expect(request.action).toEqual({ type: 'Action', id: 'http' });
    expect(request.resource).toEqual({ type: 'Route', id: 'gh' });
    expect(request.entities[1]?.attrs).toEqual({
      name: 'gh',
      upstream: 'https://github.com',
      credential: 'app',
    });
    expect(request.context.request).toMatchObject({ method: 'GET', host: 'github.com', route: 'gh' });
  });

  it.each(cases)('passes Cedar request validation against the schema: %s', (_name, input) => {
    const answer = isAuthorized({
      ...buildCedarRequest(input),
      schema: POLICY_SCHEMA,
      validateRequest: true,
      policies: { staticPolicies: 'permit (principal, action, resource);' },
    });
    expect(answer).toMatchObject({ type: 'success', response: { decision: 'allow' } });
  });
});
