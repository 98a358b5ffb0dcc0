/**
 * The environment `agentid exec` gives its child: the session id, then each credential asked
 * for on the command line (`--token`, `--env`, `--aws`, `--git`), and the session's secretless
 * gateway (`--http`, `--http-proxy`), whose credentials never reach the child at all. All are
 * requested after the session exists, so policy sees the session's agent; values reach only the
 * child's environment, never argv or disk (the gateway's CA bundle on disk is public).
 */

import { gitHostsOf } from '../src/config/git-credentials.js';
import { loadConfig } from '../src/config/index.js';
import { AgentIdError } from '../src/errors.js';
import type {
  AwsContainerRequest,
  AwsContainerResponse,
  GatewayRequest,
  GatewayResponse,
  SessionView,
  TokenRequest,
  TokenResponse,
} from '../src/protocol/index.js';
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
  let env: Record<string, string | undefined> = { ...deps.env, AGENTID_SESSION: session.id };
  for (const { audience, variable } of wanted.tokens) {
    const body: TokenRequest = { audience };
    env[variable] = (await deps.daemon.call<TokenResponse>('/v1/token', { method: 'POST', body })).token;
  }
  Object.assign(env, await staticSecretsEnv(deps.daemon, wanted.env));
  if (wanted.aws !== null) {
    const body: AwsContainerRequest = { credential: wanted.aws };
    const path = `/v1/sessions/${encodeURIComponent(session.id)}/aws`;
    env = awsContainerEnv(env, await deps.daemon.call<AwsContainerResponse>(path, { method: 'POST', body }));
  }
  if (wanted.git !== null) {
    Object.assign(
      env,
      gitHelperEnv(env, { hosts: gitHosts(deps, wanted.git), credential: wanted.git, ...deps.agentid }),
    );
  }
  let bundle: CaBundle | null = null;
  if (wanted.http !== null) {
    const path = `/v1/sessions/${encodeURIComponent(session.id)}/gateway`;
    const gateway = await deps.daemon.call<GatewayResponse>(path, { method: 'POST', body: wanted.http });
    const caCertificate = gateway.proxy?.caCertificate;
    if (caCertificate) bundle = writeCaBundle(env, caCertificate);
    Object.assign(env, gatewayEnv(env, gateway, bundle?.path ?? null));
  }
  return { env, cleanup: () => bundle?.remove() };
}

/** The hosts a git credential serves, from the same config.toml the daemon reads. */
function gitHosts(deps: CliDeps, name: string): string[] {
  const credential = loadConfig(deps.paths.configFile).credentials.find((c) => c.name === name);
  if (!credential)
    throw new AgentIdError('ERR_CREDENTIAL_UNKNOWN', `--git ${name}: no such credential in config.toml`);
  const hosts = gitHostsOf(credential);
  if (hosts.length === 0) {
    throw new AgentIdError(
      'ERR_CREDENTIAL_TYPE',
      `--git ${name}: not a git credential (a github-app, or a static one with a host)`,
    );
  }
  return hosts;
}
