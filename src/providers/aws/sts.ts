/**
 * The two STS calls, through the maintained SDK (SigV4 is not ours to hand-roll). The SDK is
 * imported on first use, so a daemon that never issues AWS credentials never loads it. Every call
 * has a hard deadline and a single attempt: a broken STS gives the caller a coded error within
 * the timeout instead of a retry storm or a hang (SECURITY.md invariant 6).
 */
import { AgentIdError } from '../../errors.js';

export interface StsTarget {
  region: string;
  /** null: AWS's regional endpoint. */
  endpoint: string | null;
  timeoutMs: number;
}

export interface BaseKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface AssumeRoleInput {
  RoleArn: string;
  RoleSessionName: string;
  DurationSeconds: number;
  Policy?: string;
  SourceIdentity?: string;
  Tags?: { Key: string; Value: string }[];
}

export interface WebIdentityInput {
  RoleArn: string;
  RoleSessionName: string;
  DurationSeconds: number;
  Policy?: string;
  WebIdentityToken: string;
}

export interface StsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

type Sdk = typeof import('@aws-sdk/client-sts');
let sdk: Promise<Sdk> | undefined;
const loadSdk = (): Promise<Sdk> => {
  sdk ??= import('@aws-sdk/client-sts');
  return sdk;
};

export async function assumeRole(
  target: StsTarget,
  keys: BaseKeys,
  input: AssumeRoleInput,
): Promise<StsCredentials> {
  const { STSClient, AssumeRoleCommand } = await loadSdk();
  return send('AssumeRole', target, async (signal) => {
    const client = new STSClient({ ...clientConfig(target), credentials: keys });
    try {
      return (await client.send(new AssumeRoleCommand(input), { abortSignal: signal })).Credentials;
    } finally {
      client.destroy();
    }
  });
}

export async function assumeRoleWithWebIdentity(
  target: StsTarget,
  input: WebIdentityInput,
): Promise<StsCredentials> {
  const { STSClient, AssumeRoleWithWebIdentityCommand } = await loadSdk();
  return send('AssumeRoleWithWebIdentity', target, async (signal) => {
    const client = new STSClient(clientConfig(target));
    try {
      return (await client.send(new AssumeRoleWithWebIdentityCommand(input), { abortSignal: signal }))
        .Credentials;
    } finally {
      client.destroy();
    }
  });
}

function clientConfig(target: StsTarget) {
  return {
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: target.timeoutMs, requestTimeout: target.timeoutMs },
  };
}

interface SdkCredentials {
  AccessKeyId?: string | undefined;
  SecretAccessKey?: string | undefined;
  SessionToken?: string | undefined;
  Expiration?: Date | undefined;
}

async function send(
  operation: string,
  target: StsTarget,
  call: (signal: AbortSignal) => Promise<SdkCredentials | undefined>,
): Promise<StsCredentials> {
  const deadline = AbortSignal.timeout(target.timeoutMs);
  let credentials: SdkCredentials | undefined;
  try {
    credentials = await call(deadline);
  } catch (err) {
    throw stsError(operation, target, err, deadline.aborted);
  }
  const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = credentials ?? {};
  if (!AccessKeyId || !SecretAccessKey || !SessionToken || !(Expiration instanceof Date)) {
    throw new AgentIdError('ERR_AWS_STS', `STS ${operation} answered without complete credentials`);
  }
  return {
    accessKeyId: AccessKeyId,
    secretAccessKey: SecretAccessKey,
    sessionToken: SessionToken,
    expiration: Expiration,
  };
}

/** The STS error code (AccessDenied, ExpiredToken, ...) or the network failure, never a request value. */
export function stsError(
  operation: string,
  target: StsTarget,
  err: unknown,
  timedOut: boolean,
): AgentIdError {
  const where = target.endpoint ?? `the ${target.region} endpoint`;
  if (timedOut) {
    return new AgentIdError(
      'ERR_AWS_STS',
      `STS ${operation} at ${where} did not answer within ${target.timeoutMs} ms (timeout); check the network or [credentials] endpoint`,
    );
  }
  const e = err as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  const message = typeof e.message === 'string' ? e.message.slice(0, 300) : '';
  if (e.$metadata?.httpStatusCode !== undefined && typeof e.name === 'string') {
    return new AgentIdError(
      'ERR_AWS_STS',
      `STS ${operation} failed: ${e.name} (HTTP ${e.$metadata.httpStatusCode}): ${message}`,
    );
  }
  const code = typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : 'error';
  return new AgentIdError(
    'ERR_AWS_STS',
    `STS ${operation} at ${where} is unreachable: ${code}: ${message}; check the network or [credentials] endpoint`,
  );
}
