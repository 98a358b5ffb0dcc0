/**
 * /v1/secrets: put, remove and list long-lived secrets. The daemon is the only process that
 * touches the secret store; values travel only inside this uid-checked socket and are never
 * echoed back, logged or audited.
 */
import { AgentIdError } from '../../src/errors.js';
import { REFRESH_TOKEN_SECRET } from '../../src/identity/index.js';
import { endpoints, type SecretListResponse } from '../../src/protocol/index.js';
import { SIGNING_KEYS_SECRET } from '../../src/providers/index.js';
import { validateSecretName } from '../../src/secrets/index.js';
import type { DaemonDeps } from '../deps.js';
import { type JsonAnswer, type Route, route } from '../route.js';

/** Names the daemon keeps its own material under (signing keys, refresh tokens). */
const RESERVED_PREFIX = 'agentid.';

function validateUserSecretName(name: string): void {
  validateSecretName(name);
  if (name.startsWith(RESERVED_PREFIX)) {
    throw new AgentIdError(
      'ERR_SECRETS_INVALID_NAME',
      `names starting with ${RESERVED_PREFIX} are reserved for the daemon`,
    );
  }
}

/** The daemon's own entries, said in words (names only, never values): two AWS base keys are one line. */
function describeManaged(all: readonly string[]): string[] {
  const described = all.flatMap((name) => {
    const aws = /^agentid\.aws\.(.+)\.(access-key-id|secret-access-key)$/.exec(name);
    if (aws) return [`AWS base keys of credential ${aws[1]} (agentid aws set-base-keys ${aws[1]})`];
    if (name === SIGNING_KEYS_SECRET) return ['JWT signing keys (agentid key rotate)'];
    if (name === REFRESH_TOKEN_SECRET) return ['SSO refresh token (agentid login / logout)'];
    return name.startsWith(RESERVED_PREFIX) ? [name] : [];
  });
  return [...new Set(described)].sort();
}

/** Secret routes are audited with the name only: the value never reaches a row. */
function allowed(name: string | null, answer: JsonAnswer) {
  return { audit: { decision: 'allow', resource: name } as const, answer };
}

export function secretRoutes(deps: DaemonDeps): Route[] {
  return [
    route(endpoints.secretList, {
      action: 'secret.list',
      humanOptional: true,
      async handle() {
        const all = await (await deps.secrets()).list();
        const names = all.filter((n) => !n.startsWith(RESERVED_PREFIX));
        const body: SecretListResponse = { names, managed: describeManaged(all) };
        return allowed(null, { status: 200, body });
      },
    }),
    route(endpoints.secretSet, {
      manages: true,
      action: 'secret.set',
      humanOptional: true,
      async handle(ctx) {
        const { name } = ctx.params;
        validateUserSecretName(name);
        await (await deps.secrets()).set(name, ctx.body.value);
        return allowed(name, { status: 200, body: { name } });
      },
    }),
    route(endpoints.secretRemove, {
      manages: true,
      action: 'secret.remove',
      humanOptional: true,
      async handle(ctx) {
        const { name } = ctx.params;
        validateUserSecretName(name);
        if (!(await (await deps.secrets()).delete(name))) {
          throw new AgentIdError('ERR_SECRETS_NOT_FOUND', `no secret named ${name}; see: agentid secret ls`);
        }
        return allowed(name, { status: 200, body: { name } });
      },
    }),
  ];
}
