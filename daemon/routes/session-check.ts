/**
 * POST /v1/sessions/:id/check (`agentid exec --aws NAME --git NAME`): before the command starts,
 * whether the session's processes can be permitted each credential at all (daemon/authorize.ts
 * requireAllowedAhead), so a denied agent fails at once with the policy's reason instead of
 * starting and failing deep inside an SDK. Only the process that rooted the session may ask. A
 * deny is audited as a decision on that credential; a pass grants nothing and is audited as the
 * check.
 */
import { type CredentialConfig, gitHostsOf } from '../../src/config/index.js';
import { AgentIdError } from '../../src/errors.js';
import type { SessionCheckRequest, SessionCheckResponse } from '../../src/protocol/index.js';
import { requireAllowedAhead } from '../authorize.js';
import type { DaemonDeps } from '../deps.js';
import { findCredential } from '../issue.js';
import type { Route } from '../route.js';

const MAX_CREDENTIALS = 16;

export function sessionCheckRoute(deps: DaemonDeps): Route {
  return {
    method: 'POST',
    pattern: '/v1/sessions/:id/check',
    action: 'session.check',
    handle(ctx) {
      const session = deps.sessions.rootedBy(ctx.attestation, ctx.params.id ?? '');
      const checked: SessionCheckResponse['credentials'] = [];
      for (const wanted of readRequest(ctx.body).credentials) {
        const credential = credentialFor(deps, wanted);
        const decision = requireAllowedAhead(deps, ctx, session, {
          name: credential.name,
          type: wanted.type,
        });
        const hosts = wanted.type === 'git' ? { gitHosts: gitHostsOf(credential) } : {};
        checked.push({ ...wanted, reason: decision.reason, ...hosts });
      }
      return {
        audit: {
          decision: 'allow',
          resource: session.id,
          reason: checked.map((c) => `${c.type} ${c.name}: ${c.reason}`).join('; '),
        },
        answer: { status: 200, body: { credentials: checked } satisfies SessionCheckResponse },
      };
    },
  };
}

function credentialFor(
  deps: DaemonDeps,
  wanted: SessionCheckRequest['credentials'][number],
): CredentialConfig {
  if (wanted.type === 'aws') return findCredential(deps, wanted.name, 'aws');
  const credential = deps.config.credentials.find((c) => c.name === wanted.name);
  if (!credential) {
    throw new AgentIdError(
      'ERR_CREDENTIAL_UNKNOWN',
      `--git ${wanted.name.slice(0, 64)}: no such credential in config.toml`,
    );
  }
  if (gitHostsOf(credential).length === 0) {
    throw new AgentIdError(
      'ERR_CREDENTIAL_TYPE',
      `--git ${wanted.name}: not a git credential (a github-app, or a static one with a host)`,
    );
  }
  return credential;
}

function readRequest(body: unknown): SessionCheckRequest {
  const list = (body as Partial<SessionCheckRequest> | undefined)?.credentials;
  const valid =
    Array.isArray(list) &&
    list.length <= MAX_CREDENTIALS &&
    list.every(
      (c) =>
        typeof c === 'object' &&
        c !== null &&
        (c.type === 'aws' || c.type === 'git') &&
        typeof c.name === 'string',
    );
  if (!valid) {
    throw new AgentIdError(
      'ERR_USAGE',
      `the body must be {"credentials": [{"type": "aws"|"git", "name": NAME}, ...]} (at most ${MAX_CREDENTIALS})`,
    );
  }
  return { credentials: list };
}
