/**
 * The environment `agentid exec --aws` gives its child: the session's container-credentials
 * endpoint, and none of the static AWS credentials or profile selections it inherited, which
 * would otherwise win over the endpoint in the SDKs' credential chain (aws-vault does the same).
 * Pure, so it has table tests.
 */
import type { Env } from '../src/paths.js';
import type { AwsContainerResponse } from '../src/protocol/index.js';

/** Variables that select or carry credentials ahead of the container provider. */
const SCRUBBED_AWS_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CREDENTIAL_FILE',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_SDK_LOAD_CONFIG',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
] as const;

export function awsContainerEnv(
  env: Env,
  endpoint: AwsContainerResponse,
): Record<string, string | undefined> {
  const child: Record<string, string | undefined> = { ...env };
  for (const name of SCRUBBED_AWS_VARIABLES) delete child[name];
  child.AWS_CONTAINER_CREDENTIALS_FULL_URI = endpoint.uri;
  child.AWS_CONTAINER_AUTHORIZATION_TOKEN = endpoint.token;
  // The credential's region unless the user chose one; credentials alone do not pick a region.
  child.AWS_REGION ??= endpoint.region;
  child.AWS_DEFAULT_REGION ??= endpoint.region;
  return child;
}
