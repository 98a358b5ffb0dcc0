/**
 * `[credentials.<name>] type = "aws"`: an IAM role the daemon assumes through STS for the agent,
 * either with the human's SSO ID token (`web-identity`) or with base keys kept in the keychain
 * (`assume-role`). Checked strictly here so a typo fails at load, naming the key, instead of at
 * the first STS call.
 */

export interface AwsCredentialConfig {
  name: string;
  type: 'aws';
  source: 'web-identity' | 'assume-role';
  roleArn: string;
  region: string;
  /** STS DurationSeconds: 900..43200 (the role's maximum session duration applies too). */
  durationSeconds: number;
  /** STS endpoint URL; null means AWS's regional endpoint. */
  endpoint: string | null;
  /** Inline session policy (JSON text) that narrows the role; null for none. */
  policy: string | null;
  /** Extra session tags (assume-role only); the agentid-* tags are always added. */
  tags: Record<string, string>;
  /** Bound on each STS call. */
  timeoutMs: number;
}

const AWS_DEFAULT_DURATION_SECONDS = 900;
const AWS_DEFAULT_TIMEOUT_MS = 10_000;
/** Tag keys the daemon sets itself; config cannot override who the session is for. */
const AWS_RESERVED_TAG_PREFIX = 'agentid-';

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** AWS region names: us-east-1, us-gov-west-1, eu-isoe-west-1. */
export const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** AWS's packed-size limit is 2048 characters for the policy; plain text is a fair first bound. */
const MAX_POLICY_CHARS = 2048;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
/** STS allows 50 session tags; two are ours. */
const MAX_EXTRA_TAGS = 48;

export function parseAws(
  name: string,
  settings: Record<string, unknown>,
  fail: (message: string) => never,
): AwsCredentialConfig {
  const where = `[credentials.${name}]`;
  const credential: AwsCredentialConfig = {
    name,
    type: 'aws',
    source: 'assume-role',
    roleArn: '',
    region: '',
    durationSeconds: AWS_DEFAULT_DURATION_SECONDS,
    endpoint: null,
    policy: null,
    tags: {},
    timeoutMs: AWS_DEFAULT_TIMEOUT_MS,
  };
  const integer = (key: string, value: unknown, min: number, max: number): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      fail(`${where} ${key} must be an integer between ${min} and ${max}`);
    }
    return value as number;
  };
  for (const [key, value] of Object.entries(settings)) {
    switch (key) {
      case 'type':
        break;
      case 'source':
        if (value !== 'web-identity' && value !== 'assume-role') {
          fail(`${where} source must be "web-identity" (SSO ID token) or "assume-role" (keychain base keys)`);
        }
        credential.source = value;
        break;
      case 'role_arn':
        if (typeof value !== 'string' || !ROLE_ARN.test(value)) {
          fail(`${where} role_arn must be an IAM role ARN like arn:aws:iam::123456789012:role/agent`);
        }
        credential.roleArn = value;
        break;
      case 'region':
        if (typeof value !== 'string' || !AWS_REGION.test(value)) {
          fail(`${where} region must be an AWS region like us-east-1`);
        }
        credential.region = value;
        break;
      case 'duration':
        credential.durationSeconds = integer(key, value, 900, 43_200);
        break;
      case 'timeout_ms':
        credential.timeoutMs = integer(key, value, 100, 120_000);
        break;
      case 'endpoint':
        credential.endpoint = parseEndpoint(value, () => fail(`${where} endpoint must be an http(s) URL`));
        break;
      case 'policy':
        credential.policy = parsePolicy(value, (why) => fail(`${where} policy ${why}`));
        break;
      case 'tags':
        credential.tags = parseTags(value, (why) => fail(`${where} tags ${why}`));
        break;
      default:
        fail(`${where} unknown key "${key}" for type aws`);
    }
  }
  if (credential.roleArn === '') fail(`${where} role_arn is required for type aws`);
  if (credential.region === '') fail(`${where} region is required for type aws`);
  if (credential.source === 'web-identity' && Object.keys(credential.tags).length > 0) {
    // AssumeRoleWithWebIdentity takes tags only from the ID token, not from the request.
    fail(`${where} tags are supported only with source = "assume-role"`);
  }
  return credential;
}

function parseEndpoint(value: unknown, fail: () => never): string {
  if (typeof value !== 'string') return fail();
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') fail();
    return value;
  } catch {
    return fail();
  }
}

function parsePolicy(value: unknown, fail: (why: string) => never): string {
  if (typeof value !== 'string') return fail('must be a JSON string (an IAM policy document)');
  if (value.length > MAX_POLICY_CHARS) fail(`must be at most ${MAX_POLICY_CHARS} characters`);
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch (err) {
    return fail(`is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('must be a JSON object');
  return value;
}

function parseTags(value: unknown, fail: (why: string) => never): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('must be a table of key = "value"');
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_EXTRA_TAGS) fail(`may hold at most ${MAX_EXTRA_TAGS} tags`);
  const tags: Record<string, string> = {};
  for (const [key, tag] of entries) {
    if (!TAG_KEY.test(key) || key.toLowerCase().startsWith('aws:'))
      fail(`key "${key}" is not a valid tag key`);
    if (key.toLowerCase().startsWith(AWS_RESERVED_TAG_PREFIX)) {
      fail(`key "${key}": keys starting with ${AWS_RESERVED_TAG_PREFIX} are set by the daemon`);
    }
    if (typeof tag !== 'string' || !TAG_VALUE.test(tag))
      fail(`value of "${key}" must be a valid tag value string`);
    tags[key] = tag as string;
  }
  return tags;
}
