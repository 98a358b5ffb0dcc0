/**
 * POST /v1/aws/:credential: STS credentials in the credential_process format (Version 1), for
 * `agentid aws credential-process NAME`. Policy action `aws` on the credential.
 */
import { type AwsCredentialProcessResponse, endpoints } from '../../src/protocol/index.js';
import { issueAws } from '../aws-issue.js';
import type { DaemonDeps } from '../deps.js';
import { type Route, route } from '../route.js';

export function awsRoute(deps: DaemonDeps): Route {
  return route(endpoints.aws, {
    action: 'aws',
    async handle(ctx) {
      const { issued, audit } = await issueAws(deps, ctx, ctx.params.credential);
      const { value } = issued;
      const body: AwsCredentialProcessResponse = {
        Version: 1,
        AccessKeyId: value.accessKeyId,
        SecretAccessKey: value.secretAccessKey,
        SessionToken: value.sessionToken,
        Expiration: issued.expiresAt.toISOString(),
      };
      return { audit, answer: { status: 200, body } };
    },
  });
}
