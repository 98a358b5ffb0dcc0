/**
 * The environment `agentid exec` gives its child: the session id, then each credential asked
 * for on the command line (`--token`, `--env`, `--aws`, `--git`). All are decided after the
 * session exists, so policy sees the session's agent, and before the command starts: `--aws` and
 * `--git`, which the session's processes ask for later, first by the daemon's pre-check (any
 * deny ends exec with exit 3 before anything is issued), `--token` and `--env` by issuing them.
 * Values reach only the child's environment, never argv or disk.
 */
import type {
  AwsContainerRequest,
  AwsContainerResponse,
  SessionCheckRequest,
  SessionCheckResponse,
  SessionView,
  TokenRequest,
  TokenResponse,
} from '../src/protocol/index.js';
import { awsContainerEnv } from './aws-env.js';
import type { CliDeps } from './command.js';
import { gitHelperEnv } from './git-credential/exec-env.js';
import { type EnvSpec, staticSecretsEnv } from './static-env.js';

export interface ExecCredentials {
  tokens: { audience: string; variable: string }[];
  env: EnvSpec[];
  aws: string | null;
  git: string | null;
}

export async function sessionEnv(
  deps: CliDeps,
  session: SessionView,
  wanted: ExecCredentials,
): Promise<Record<string, string | undefined>> {
  const later: SessionCheckRequest['credentials'] = [
    ...(wanted.aws === null ? [] : [{ type: 'aws' as const, name: wanted.aws }]),
    ...(wanted.git === null ? [] : [{ type: 'git' as const, name: wanted.git }]),
  ];
  const sessionPath = `/v1/sessions/${encodeURIComponent(session.id)}`;
  const checked =
    later.length === 0
      ? []
      : (
          await deps.daemon.call<SessionCheckResponse>(`${sessionPath}/check`, {
            method: 'POST',
            body: { credentials: later } satisfies SessionCheckRequest,
          })
        ).credentials;
  let env: Record<string, string | undefined> = { ...deps.env, AGENTID_SESSION: session.id };
  for (const { audience, variable } of wanted.tokens) {
    const body: TokenRequest = { audience };
    env[variable] = (await deps.daemon.call<TokenResponse>('/v1/token', { method: 'POST', body })).token;
  }
  Object.assign(env, await staticSecretsEnv(deps.daemon, wanted.env));
  if (wanted.aws !== null) {
    const body: AwsContainerRequest = { credential: wanted.aws };
    env = awsContainerEnv(
      env,
      await deps.daemon.call<AwsContainerResponse>(`${sessionPath}/aws`, { method: 'POST', body }),
    );
  }
  const git = checked.find((c) => c.type === 'git');
  if (wanted.git !== null && git?.gitHosts) {
    Object.assign(env, gitHelperEnv(env, { hosts: git.gitHosts, credential: wanted.git, ...deps.agentid }));
  }
  return env;
}
