import { describe, expect, it } from 'vitest';
import { type AwsCredentialConfig, parseConfig } from '../../src/config/index.js';
import type { AgentIdError } from '../../src/errors.js';

const base = 'type = "aws"\nrole_arn = "arn:aws:iam::123456789012:role/agent"\nregion = "eu-west-1"\n';

function parseDev(body: string): AwsCredentialConfig {
  const credential = parseConfig(`[credentials.dev]\n${body}`, 'config.toml').credentials.find(
    (c) => c.name === 'dev',
  );
  return credential as AwsCredentialConfig;
}

function failure(body: string): AgentIdError {
  try {
    parseDev(body);
  } catch (err) {
    return err as AgentIdError;
  }
  throw new Error('expected a config error');
}

describe('[credentials.<name>] type = "aws"', () => {
  it('has the documented defaults: assume-role, 900 s, 10 s timeout, AWS endpoint, no policy or tags', () => {
    expect(parseDev(base)).toEqual({
      name: 'dev',
      type: 'aws',
      source: 'assume-role',
      roleArn: 'arn:aws:iam::123456789012:role/agent',
      region: 'eu-west-1',
      durationSeconds: 900,
      endpoint: null,
      policy: null,
      tags: {},
      timeoutMs: 10_000,
    });
  });

  it('reads every key', () => {
    const policy = '{"Version":"2012-10-17","Statement":[]}';
    const parsed = parseDev(
      `${base}source = "assume-role"\nduration = 3600\nendpoint = "http://127.0.0.1:5000"\ntimeout_ms = 2000\n` +
        `policy = '${policy}'\ntags = { team = "infra", "cost-center" = "42" }\n`,
    );
    expect(parsed).toMatchObject({
      durationSeconds: 3600,
      endpoint: 'http://127.0.0.1:5000',
      timeoutMs: 2000,
      policy,
      tags: { team: 'infra', 'cost-center': '42' },
    });
    expect(parseDev(`${base}source = "web-identity"\n`).source).toBe('web-identity');
  });

  it.each([
    ['type = "aws"\nregion = "us-east-1"\n', '[credentials.dev] role_arn is required'],
    ['type = "aws"\nrole_arn = "arn:aws:iam::123456789012:role/x"\n', '[credentials.dev] region is required'],
    [`${base}duration = 899\n`, '[credentials.dev] duration must be an integer between 900 and 43200'],
    [`${base}duration = 43201\n`, 'duration must be an integer between 900 and 43200'],
    [`${base}duration = "15m"\n`, 'duration must be an integer'],
    [`${base}source = "keys"\n`, 'source must be "web-identity"'],
    [`${base}endpoint = "ftp://x"\n`, 'endpoint must be an http(s) URL'],
    [`${base}endpoint = "not a url"\n`, 'endpoint must be an http(s) URL'],
    [`${base}policy = "{not json"\n`, 'policy is not valid JSON'],
    [`${base}policy = "[1]"\n`, 'policy must be a JSON object'],
    [`${base}policy = "${'x'.repeat(2049)}"\n`, 'policy must be at most 2048 characters'],
    [`${base}tags = { agentid-agent = "me" }\n`, 'keys starting with agentid- are set by the daemon'],
    [`${base}tags = { "aws:x" = "1" }\n`, 'is not a valid tag key'],
    [`${base}tags = { team = "a|b" }\n`, 'value of "team" must be a valid tag value'],
    [
      `${base}source = "web-identity"\ntags = { team = "x" }\n`,
      'tags are supported only with source = "assume-role"',
    ],
    [
      'type = "aws"\nregion = "us-east-1"\nrole_arn = "arn:aws:iam::1234:role/x"\n',
      'role_arn must be an IAM role ARN',
    ],
    [
      'type = "aws"\nrole_arn = "arn:aws:iam::123456789012:role/x"\nregion = "Europe"\n',
      'region must be an AWS region',
    ],
    [`${base}ttl_seconds = 60\n`, 'unknown key "ttl_seconds" for type aws'],
  ])('refuses %j naming file, table and key', (body, message) => {
    const error = failure(body);
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.message).toContain('config.toml: ');
    expect(error.message).toContain(message);
  });

  it('names aws among the supported types', () => {
    expect(failure('type = "ldap"\n').message).toContain('(jwt, aws');
  });
});
