/**
 * One AWS credential for a caller, shared by POST /v1/aws/:credential (credential_process) and
 * the exec sessions' container endpoints, so both take the same policy → cache → STS → audit
 * path (daemon/issue.ts) and differ only in the JSON they answer with.
 */
import { type AwsCredentials, awsProvider } from '../src/providers/index.js';
import type { DaemonDeps } from './deps.js';
import type { Caller } from './identify.js';
import { findCredential, type IssueResult, issueCredential } from './issue.js';

export async function issueAws(
  deps: DaemonDeps,
  ctx: Caller,
  name: string,
): Promise<IssueResult<AwsCredentials>> {
  const credential = findCredential(deps, name, 'aws');
  return issueCredential(deps, ctx, {
    credential,
    provider: awsProvider({ credential, secrets: deps.secrets, idToken: () => deps.humans.idToken() }),
    // One role per credential: (credential, agent, human) already says everything.
    scope: credential.roleArn,
    request: { awsRole: credential.roleArn },
  });
}
