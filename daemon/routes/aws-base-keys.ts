/**
 * PUT /v1/aws/:credential/base-keys (`agentid aws set-base-keys NAME`): stores the long-lived
 * keys an `assume-role` credential signs AssumeRole with, under names reserved for the daemon.
 * They never leave it again: no route reads them back. Audited with the credential name only.
 */

import { endpoints } from '../../src/protocol/index.js';
import { baseKeyNames } from '../../src/providers/index.js';
import type { DaemonDeps } from '../deps.js';
import { findCredential } from '../issue.js';
import { type Route, route } from '../route.js';

export function awsBaseKeysRoute(deps: DaemonDeps): Route {
  return route(endpoints.awsBaseKeys, {
    manages: true,
    action: 'aws.base-keys',
    async handle(ctx) {
      const credential = findCredential(deps, ctx.params.credential, 'aws');
      const { body } = ctx;
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
  });
}
