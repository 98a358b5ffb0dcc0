/**
 * The environment `agentid exec` gives its child: the session id, then each credential asked
 * for on the command line (`--token`, `--env`, `--aws`, `--git`), and the session's secretless
 * gateway (`--http`, `--http-proxy`), whose credentials never reach the child at all. All are
 * decided after the session exists, so policy sees the session's agent, and before the command
 * starts: `--aws` and `--git`, which the session's processes ask for later, first by the daemon's
 * pre-check (any deny ends exec with exit 3 before anything is issued), `--token`, `--env` and the
 * gateway by requesting them. Values reach only the child's environment, never argv or disk (the
 * gateway's CA bundle on disk is public).
 */
import {
  endpoints,
  type GatewayRequest,
  type SessionCheckRequest,
  type SessionView,
} from '../src/protocol/client/index.js';
import { awsContainerEnv } from './aws-env.js';
import { type CaBundle, writeCaBundle } from './ca-bundle.js';
import type { CliDeps } from './command.js';
import { gatewayEnv } from './gateway-env.js';
import { gitHelperEnv } from './git-credential/exec-env.js';
import { type EnvSpec, staticSecretsEnv } from './static-env.js';

export interface ExecCredentials {
  tokens: { audience: string; variable: string }[];
  env: EnvSpec[];
  aws: string | null;
  git: string | null;
  /** Gateway routes, and whether the child gets proxy mode; null: no gateway. */
  http: GatewayRequest | null;
}

export interface SessionEnv {
  env: Record<string, string | undefined>;
  /** Removes what the session left on disk (the CA bundle); safe to call twice. */
  cleanup(): void;
}

export async function sessionEnv(
  deps: CliDeps,
  session: SessionView,
  wanted: ExecCredentials,
): Promise<SessionEnv> {
  const later: SessionCheckRequest['credentials'] = [
    ...(wanted.aws === null ? [] : [{ type: 'aws' as const, name: wanted.aws }]),
    ...(wanted.git === null ? [] : [{ type: 'git' as const, name: wanted.git }]),
  ];
  // A deny throws the policy's coded error here, before anything is issued or started.
  if (later.length > 0)
    await deps.daemon.call(endpoints.sessionCheck, { id: session.id }, { credentials: later });
  let env: Record<string, string | undefined> = { ...deps.env, AGENTID_SESSION: session.id };
  for (const { audience, variable } of wanted.tokens) {
    env[variable] = (await deps.daemon.call(endpoints.token, { audience })).token;
  }
  Object.assign(env, await staticSecretsEnv(deps.daemon, wanted.env));
  if (wanted.aws !== null) {
    const container = await deps.daemon.call(
      endpoints.sessionAws,
      { id: session.id },
      { credential: wanted.aws },
    );
    env = awsContainerEnv(env, container);
  }
  if (wanted.git !== null) {
    // The daemon's config is the one that counts: it says which hosts the credential serves.
    const { hosts } = await deps.daemon.call(endpoints.gitHosts, { credential: wanted.git });
    Object.assign(env, gitHelperEnv(env, { hosts, credential: wanted.git, ...deps.agentid }));
  }
  let bundle: CaBundle | null = null;
  if (wanted.http !== null) {
    const gateway = await deps.daemon.call(endpoints.sessionGateway, { id: session.id }, wanted.http);
    const caCertificate = gateway.proxy?.caCertificate;
    if (caCertificate) bundle = writeCaBundle(env, caCertificate);
    Object.assign(env, gatewayEnv(env, gateway, bundle?.path ?? null));
  }
  return { env, cleanup: () => bundle?.remove() };
}
