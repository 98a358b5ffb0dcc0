/**
 * `agentid mcp --env VAR=CRED[:AUDIENCE]`: short-lived credentials in the MCP server's
 * environment, fetched through the routes `agentid exec` uses (policy decides, the daemon audits),
 * so the agent's MCP config names credentials but holds no secret. Per credential type:
 * static → VAR = the secret; jwt → VAR = a token for AUDIENCE (required); aws → VAR is a prefix:
 * VAR_ACCESS_KEY_ID, VAR_SECRET_ACCESS_KEY, VAR_SESSION_TOKEN (`--env AWS=dev` gives the names the
 * AWS SDKs read). The earliest expiry is returned: the proxy restarts the server before it.
 */
import { AgentIdError } from '../errors.js';
import { type DaemonCaller, endpoints, type McpStartResponse } from '../protocol/index.js';

export interface McpEnvSpec {
  variable: string;
  credential: string;
  audience?: string;
}

export interface ServerEnv {
  env: Record<string, string>;
  /** When the first of them expires; null when none does (static secrets only, or none). */
  expiresAt: Date | null;
}

const SPEC = /^([A-Za-z_][A-Za-z0-9_]*)=([a-z0-9][a-z0-9._-]{0,63})(?::([\x21-\x7e]{1,256}))?$/;

export function parseMcpEnvSpecs(value: unknown): McpEnvSpec[] {
  const specs = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return specs.map((spec) => {
    const match = SPEC.exec(String(spec));
    if (!match?.[1] || !match[2]) {
      throw new AgentIdError(
        'ERR_USAGE',
        `--env ${JSON.stringify(spec)}: expected VARIABLE=CREDENTIAL or VARIABLE=CREDENTIAL:AUDIENCE (jwt), e.g. API_TOKEN=identity:api.internal`,
      );
    }
    return { variable: match[1], credential: match[2], ...(match[3] ? { audience: match[3] } : {}) };
  });
}

export async function fetchServerEnv(
  daemon: DaemonCaller,
  specs: readonly McpEnvSpec[],
  types: McpStartResponse['credentials'],
): Promise<ServerEnv> {
  const env: Record<string, string> = {};
  let expiresAt: Date | null = null;
  const expires = (at: string) => {
    const date = new Date(at);
    if (expiresAt === null || date < expiresAt) expiresAt = date;
  };
  for (const spec of specs) {
    const type = types.find((t) => t.name === spec.credential)?.type;
    if (type === 'static') {
      env[spec.variable] = (await daemon.call(endpoints.static, { credential: spec.credential })).value;
    } else if (type === 'jwt') {
      if (!spec.audience) {
        throw new AgentIdError(
          'ERR_USAGE',
          `--env ${spec.variable}=${spec.credential}: a jwt credential needs an audience: ${spec.variable}=${spec.credential}:AUDIENCE`,
        );
      }
      const token = await daemon.call(endpoints.token, {
        audience: spec.audience,
        credential: spec.credential,
      });
      env[spec.variable] = token.token;
      expires(token.expiresAt);
    } else if (type === 'aws') {
      const aws = await daemon.call(endpoints.aws, { credential: spec.credential });
      env[`${spec.variable}_ACCESS_KEY_ID`] = aws.AccessKeyId;
      env[`${spec.variable}_SECRET_ACCESS_KEY`] = aws.SecretAccessKey;
      env[`${spec.variable}_SESSION_TOKEN`] = aws.SessionToken;
      expires(aws.Expiration);
    } else {
      throw new AgentIdError(
        'ERR_CREDENTIAL_TYPE',
        `--env ${spec.variable}=${spec.credential}: credential of type ${type ?? 'unknown'} cannot go into an environment (static, jwt or aws can)`,
      );
    }
  }
  return { env, expiresAt };
}
