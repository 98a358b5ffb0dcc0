/**
 * The `aws` provider: STS credentials for one IAM role, per (agent, human). `assume-role` signs
 * with base keys from the secret store and names the human in SourceIdentity and session tags;
 * `web-identity` presents the human's SSO ID token. Either way the session name carries agent
 * and human, so CloudTrail shows who acted for whom.
 */
import { createHash } from 'node:crypto';
import type { AwsCredentialConfig } from '../../config/index.js';
import { AgentIdError } from '../../errors.js';
import type { SecretStore } from '../../secrets/index.js';
import type { Issued, IssueRequest, Provider } from '../types.js';
import { roleSessionName, sessionTags, sourceIdentity } from './names.js';
import { assumeRole, assumeRoleWithWebIdentity, type BaseKeys, type StsCredentials } from './sts.js';

export type AwsCredentials = StsCredentials;

export interface AwsProviderOptions {
  credential: AwsCredentialConfig;
  secrets: () => Promise<SecretStore>;
  /** The human's current SSO ID token; throws ERR_LOGIN_REQUIRED when there is none. */
  idToken: () => Promise<string>;
}

/** Secret names of a credential's base keys; the `agentid.` prefix keeps them out of `secret ls`. */
export function baseKeyNames(credential: string): { accessKeyId: string; secretAccessKey: string } {
  return {
    accessKeyId: `agentid.aws.${credential}.access-key-id`,
    secretAccessKey: `agentid.aws.${credential}.secret-access-key`,
  };
}

export function awsProvider(options: AwsProviderOptions): Provider<AwsCredentials> {
  const { credential } = options;
  const target = {
    region: credential.region,
    endpoint: credential.endpoint,
    timeoutMs: credential.timeoutMs,
  };
  return {
    type: 'aws',
    async issue(request: IssueRequest): Promise<Issued<AwsCredentials>> {
      const sessionName = roleSessionName(request.agent, request.human);
      const common = {
        RoleArn: credential.roleArn,
        RoleSessionName: sessionName,
        DurationSeconds: credential.durationSeconds,
        ...(credential.policy ? { Policy: credential.policy } : {}),
      };
      const value =
        credential.source === 'assume-role'
          ? await assumeRole(target, await readBaseKeys(options.secrets, credential.name), {
              ...common,
              SourceIdentity: sourceIdentity(request.human),
              Tags: sessionTags(request.agent, request.human, credential.tags),
            })
          : await assumeRoleWithWebIdentity(target, { ...common, WebIdentityToken: await options.idToken() });
      return {
        value,
        expiresAt: value.expiration,
        fingerprint: createHash('sha256').update(value.accessKeyId).digest('hex'),
        details: { role: credential.roleArn, session: sessionName, region: credential.region },
      };
    },
  };
}

async function readBaseKeys(secrets: () => Promise<SecretStore>, credential: string): Promise<BaseKeys> {
  const names = baseKeyNames(credential);
  const store = await secrets();
  const [accessKeyId, secretAccessKey] = await Promise.all([
    store.get(names.accessKeyId),
    store.get(names.secretAccessKey),
  ]);
  if (!accessKeyId || !secretAccessKey) {
    throw new AgentIdError(
      'ERR_AWS_NO_BASE_KEYS',
      `credential ${credential} uses source = "assume-role" but has no base keys; set them with: agentid aws set-base-keys ${credential}`,
    );
  }
  return { accessKeyId, secretAccessKey };
}
