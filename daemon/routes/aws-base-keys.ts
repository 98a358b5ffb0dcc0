/**
 * PUT /v1/aws/:credential/base-keys (`agentid aws set-base-keys NAME`): stores the long-lived
 * keys an `assume-role` credential signs AssumeRole with, under names reserved for the daemon.
 * They never leave it again: no route reads them back. Audited with the credential name only.
 */
import { type AwsBaseKeysResponse, endpoints } from '../../src/protocol/index.js';
import { baseKeyNames, baseKeyWarnings } from '../../src/providers/index.js';
import type { DaemonDeps } from '../deps.js';
import { findCredential } from '../issue.js';
import { type Route, route } from '../route.js';

export function awsBaseKeysRoute(deps: DaemonDeps): Route {
  return route(endpoints.awsBaseKeys, {
    manages: true,
    action: 'aws.base-keys',
    async handle(ctx) {
      const credential = findCredential(deps, ctx.params.credential, 'aws');
      const { accessKeyId, secretAccessKey } = ctx.body;
      const warnings = baseKeyWarnings(accessKeyId, secretAccessKey);
      const names = baseKeyNames(credential.name);
      const store = await deps.secrets();
      await store.set(names.accessKeyId, accessKeyId);
      await store.set(names.secretAccessKey, secretAccessKey);
      const warned = warnings.length ? ` (warning: ${warnings.join('; ')})` : '';
      return {
        audit: {
          decision: 'allow',
          resource: credential.name,
          reason: `base keys stored for ${credential.roleArn}${warned}`,
        },
        answer: {
          status: 200,
          body: { credential: credential.name, warnings } satisfies AwsBaseKeysResponse,
        },
      };
    },
  });
}
