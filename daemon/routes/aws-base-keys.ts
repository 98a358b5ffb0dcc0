/**
 * PUT /v1/aws/:credential/base-keys (`agentid aws set-base-keys NAME`): stores the long-lived
 * keys an `assume-role` credential signs AssumeRole with, under names reserved for the daemon.
 * They never leave it again: no route reads them back. Audited with the credential name only.
 */
import { AgentIdError } from '../../src/errors.js';
import type { AwsBaseKeysRequest } from '../../src/protocol/index.js';
import { baseKeyNames } from '../../src/providers/index.js';
import type { DaemonDeps } from '../deps.js';
import { findCredential } from '../issue.js';
import type { Route } from '../route.js';

/** AWS access key ids: 16-128 word characters (AKIA…, ASIA…). */
const ACCESS_KEY_ID = /^\w{16,128}$/;
const SECRET_ACCESS_KEY = /^[\x21-\x7e]{16,256}$/;

export function awsBaseKeysRoute(deps: DaemonDeps): Route {
  return {
    method: 'PUT',
    pattern: '/v1/aws/:credential/base-keys',
    manages: true,
    action: 'aws.base-keys',
    async handle(ctx) {
      const credential = findCredential(deps, ctx.params.credential ?? '', 'aws');
      const body = (ctx.body ?? {}) as Partial<AwsBaseKeysRequest>;
      // Checked for shape only, and the messages never echo a value.
      if (typeof body.accessKeyId !== 'string' || !ACCESS_KEY_ID.test(body.accessKeyId)) {
        throw new AgentIdError('ERR_USAGE', 'the access key id must be 16-128 letters and digits (AKIA...)');
      }
      if (typeof body.secretAccessKey !== 'string' || !SECRET_ACCESS_KEY.test(body.secretAccessKey)) {
        throw new AgentIdError(
          'ERR_USAGE',
          'the secret access key must be 16-256 printable characters without spaces',
        );
      }
      const names = baseKeyNames(credential.name);
      const store = await deps.secrets();
      await store.set(names.accessKeyId, body.accessKeyId);
      await store.set(names.secretAccessKey, body.secretAccessKey);
      return {
        audit: {
          decision: 'allow',
          resource: credential.name,
          reason: `base keys stored for ${credential.roleArn}`,
        },
        answer: { status: 200, body: { credential: credential.name } },
      };
    },
  };
}
