/**
 * Fuzzing the parsers that take input from outside: git's credential protocol (any program can
 * run the helper), config.toml and policy files (edited by hand, hot-reloaded). Each case must
 * end in a result or a coded AgentIdError — never another exception — and a policy set that
 * fails to load must leave the active set as it was.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { PolicyEngine } from '../../src/policy/index.js';
import { parseCredentialInput } from '../../src/protocol/git-credential.js';
import { fuzz, notCoded } from './fuzz.js';
import { record } from './tally.js';

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 400 }),
);

const gitKeys = [
  'protocol',
  'host',
  'path',
  'username',
  'password',
  'capability[]',
  'wwwauth[]',
  'url',
  'quit',
  '',
];
const gitLine = fc.oneof(
  fc
    .tuple(fc.constantFrom(...gitKeys), fc.string({ unit: 'binary', maxLength: 60 }))
    .map(([k, v]) => `${k}=${v}`),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom('', '\r', '=', '\0', 'host=a\0b', `path=${'x'.repeat(17 * 1024)}`),
);
const gitInput = fc.oneof(
  text,
  fc
    .tuple(fc.array(gitLine, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'))
    .map(([lines, eol]) => lines.join(eol)),
  fc.constant('capability[]=authtype\n'.repeat(5000)),
);

const tomlValue = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    'keychain',
    'file',
    'jwt',
    'aws',
    'github-app',
    'static',
    'assume-role',
    'https://idp.example.com',
  ),
  fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(
    fc.constantFrom('contents', 'metadata', 'team', 'x'),
    fc.oneof(fc.string({ maxLength: 8 }), fc.integer()),
    {
      maxKeys: 2,
    },
  ),
);
const configKeys = [
  'backend',
  'max_connections',
  'max_body_bytes',
  'headers_timeout_ms',
  'retain_days',
  'max_hash_bytes',
  'issuer',
  'client_id',
  'scopes',
  'timeout_ms',
  'type',
  'role_arn',
  'region',
  'duration',
  'source',
  'endpoint',
  'app_id',
  'private_key',
  'hosts',
  'host',
  'secret',
  'username',
  'permissions',
  'ttl_seconds',
  'exe',
  'uid',
  'cmdline',
  'cwd',
  'sha256',
  'session',
  'policy',
  'tags',
  'api_url',
  'installation_id',
  'audience',
  'groups_claim',
];
const configTable = fc.dictionary(fc.constantFrom(...configKeys), tomlValue, { maxKeys: 6 });
const configDoc = fc
  .record(
    {
      daemon: configTable,
      secrets: configTable,
      audit: configTable,
      attest: configTable,
      jwt: configTable,
      idp: configTable,
      agents: fc.dictionary(fc.constantFrom('claude', 'Bad Name', 'x'), configTable, { maxKeys: 2 }),
      credentials: fc.dictionary(fc.constantFrom('dev', 'gh', 'pw', 'identity', '-x'), configTable, {
        maxKeys: 3,
      }),
      other: configTable,
    },
    { requiredKeys: [] },
  )
  .map((doc) => stringify(doc));

const cedarTokens = [
  'permit',
  'forbid',
  '(',
  ')',
  '{',
  '}',
  ';',
  ',',
  'principal',
  'action',
  'resource',
  '==',
  '!=',
  'in',
  'is',
  'when',
  'unless',
  'has',
  'like',
  '&&',
  '||',
  '!',
  '.',
  'context',
  'request',
  'gitPath',
  'user',
  'groups',
  'contains',
  'Agent::"claude"',
  'Action::"jwt"',
  'Action::"nope"',
  'Credential::"gh"',
  '"acme/*"',
  '@id("a")',
  '@id("a")',
  '"',
  '//',
  '/*',
  '1',
  '-9223372036854775809',
  'true',
  'if',
  'then',
  'else',
  '[',
  ']',
  'ip("1.2.3.4")',
];
const policyText = fc.oneof(
  text,
  fc.array(fc.constantFrom(...cedarTokens), { maxLength: 40 }).map((t) => t.join(' ')),
  fc
    .tuple(
      fc.constantFrom('permit', 'forbid'),
      fc.string({ maxLength: 20 }),
      fc.constantFrom('jwt', 'aws', 'git', 'zz'),
    )
    .map(
      ([effect, s, a]) =>
        `@id(${JSON.stringify(s)}) ${effect}(principal == Agent::${JSON.stringify(s)}, action == Action::"${a}", resource) when { context.request has gitPath && context.request.gitPath like "${s}" };`,
    ),
);

describe('parser fuzzing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentid-fuzz-policy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('git credential protocol: a parse or ERR_GIT_INPUT_INVALID, no newline or NUL in a field', async () => {
    const outcome = await fuzz(gitInput, (input) => {
      try {
        const parsed = parseCredentialInput(input);
        const fields = [parsed.protocol, parsed.host, parsed.path, parsed.username, ...parsed.capabilities];
        return fields.some((f) => f !== undefined && /[\n\0]/.test(f))
          ? 'a field holds a newline or NUL'
          : null;
      } catch (err) {
        return notCoded(err, ['ERR_GIT_INPUT_INVALID']);
      }
    });
    record({
      attack: 'fuzz: git credential protocol',
      tried: outcome.tried,
      failures: outcome.failures,
      note: `seed ${outcome.seed}`,
    });
    expect(outcome.firstFailure).toBeNull();
  });

  it('config.toml: a Config or ERR_CONFIG_INVALID', async () => {
    const outcome = await fuzz(fc.oneof(text, configDoc, configDoc), (input) => {
      try {
        parseConfig(input, 'fuzz.toml');
        return null;
      } catch (err) {
        return notCoded(err, ['ERR_CONFIG_INVALID']);
      }
    });
    record({
      attack: 'fuzz: config TOML',
      tried: outcome.tried,
      failures: outcome.failures,
      note: `seed ${outcome.seed}`,
    });
    expect(outcome.firstFailure).toBeNull();
  });

  it('policy loading: loads, or ERR_POLICY_INVALID with the last good set still active', async () => {
    const engine = new PolicyEngine({ dir, uid: 1000, now: () => new Date() });
    const outcome = await fuzz(policyText, (input) => {
      const before = engine.status();
      writeFileSync(join(dir, 'fuzz.cedar'), input);
      try {
        const result = engine.reload();
        if (result.ok) return null;
        const why = notCoded(result.error, ['ERR_POLICY_INVALID']);
        if (why) return why;
        const after = engine.status();
        return after.loadedAt === before.loadedAt && after.policyCount === before.policyCount
          ? null
          : 'a failed load replaced the active set';
      } catch (err) {
        return `reload threw: ${String(err)}`;
      }
    });
    record({
      attack: 'fuzz: policy loading',
      tried: outcome.tried,
      failures: outcome.failures,
      note: `seed ${outcome.seed}`,
    });
    expect(outcome.firstFailure).toBeNull();
  });
});
