/**
 * `agentid exec --env VAR=NAME`: static secrets (credentials of type static) put into the child's
 * environment, asked for after the session exists so policy sees the session's agent. The value
 * travels only over the socket and into the child's environment, never through argv.
 */
import { AgentIdError } from '../src/errors.js';
import { endpoints } from '../src/protocol/client/index.js';
import type { DaemonClient } from './daemon-client.js';

export interface EnvSpec {
  variable: string;
  credential: string;
}

export function parseEnvSpecs(value: unknown): EnvSpec[] {
  const specs = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return specs.map((spec) => {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=([a-z0-9][a-z0-9._-]{0,63})$/.exec(String(spec));
    if (!match?.[1] || !match[2]) {
      throw new AgentIdError(
        'ERR_USAGE',
        `--env ${JSON.stringify(spec)}: expected VARIABLE=CREDENTIAL, e.g. NPM_TOKEN=npm (a static credential)`,
      );
    }
    return { variable: match[1], credential: match[2] };
  });
}

export async function staticSecretsEnv(daemon: DaemonClient, specs: readonly EnvSpec[]) {
  const env: Record<string, string> = {};
  for (const { variable, credential } of specs) {
    env[variable] = (await daemon.call(endpoints.static, { credential })).value;
  }
  return env;
}
