/**
 * /v1/login: the daemon runs the SSO login (device or browser flow) and the CLI follows it.
 * POST starts an attempt and answers what to show the user; GET reports its progress (and audits
 * the outcome the first time the CLI sees it); DELETE cancels it (Ctrl-C in the CLI). All work
 * before anyone is logged in, of course.
 */
import { AgentIdError } from '../../src/errors.js';
import { endpoints } from '../../src/protocol/index.js';
import type { DaemonDeps } from '../deps.js';
import type { AuditFacts } from '../outcome.js';
import { type Route, route } from '../route.js';

export function loginRoutes(deps: DaemonDeps): Route[] {
  const sso = () => {
    if (deps.sso) return deps.sso;
    throw new AgentIdError(
      'ERR_IDP_NOT_CONFIGURED',
      `no identity provider is configured, so the human is the local user; add an [idp] table (issuer, client_id) to ${deps.paths.configFile}`,
    );
  };
  return [
    route(endpoints.loginStart, {
      manages: true,
      action: 'login.start',
      humanOptional: true,
      async handle(ctx) {
        const { mode } = ctx.body;
        const body = await sso().flows.start(mode);
        return {
          audit: { decision: 'allow', resource: body.issuer, reason: `${mode} flow` },
          answer: { status: 201, body },
        };
      },
    }),
    route(endpoints.loginProgress, {
      action: 'login',
      humanOptional: true,
      handle(ctx) {
        const { view, finished } = sso().flows.progress(ctx.params.id);
        // Audited once, the first time the CLI sees the outcome; polls before it are not decisions.
        const audit: AuditFacts | null = finished
          ? {
              decision: view.state === 'complete' ? 'allow' : 'error',
              resource: deps.config.idp?.issuer ?? null,
              reason: view.error?.message ?? null,
              errorCode: view.error?.code ?? null,
              // The row names who logged in, not who the caller was before.
              human: view.human?.sub ?? null,
            }
          : null;
        return { audit, answer: { status: 200, body: view } };
      },
    }),
    route(endpoints.loginCancel, {
      action: 'login.cancel',
      humanOptional: true,
      handle(ctx) {
        sso().flows.cancel(ctx.params.id);
        return { audit: null, answer: { status: 200, body: { id: ctx.params.id, cancelled: true } } };
      },
    }),
  ];
}
