/**
 * The environment `agentid exec` gives its child: the session id, then each credential asked
 * for on the command line (`--token`, `--env`, `--aws`, `--git`). All are decided after the
 * session exists, so policy sees the session's agent, and before the command starts: `--aws` and
 * `--git`, which the session's processes ask for later, first by the daemon's pre-check (any
 * deny ends exec with exit 3 before anything is issued), `--token` and `--env` by issuing them.
 * Values reach only the child's environment, never argv or disk.
 */
import { endpoints, type SessionCheckRequest, type SessionView } from '../src/protocol/index.js';
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
  return env;
}
