/**
 * `[credentials.<name>]` tables: what the daemon can issue. Each names a `type` (one provider
 * each) and that provider's settings. The JWT credential `identity` is built in, so
 * `agentid token` works with no config at all.
 */
import { AgentIdError } from '../errors.js';
import { type AwsCredentialConfig, parseAws } from './aws-credential.js';
import {
  type Fail,
  type GithubAppCredentialConfig,
  parseGithubApp,
  parseStatic,
  type StaticCredentialConfig,
} from './git-credentials.js';

export interface JwtCredentialConfig {
  name: string;
  type: 'jwt';
  /** Token lifetime; at most 15 min. */
  ttlSeconds: number;
}

export type CredentialConfig =
  | JwtCredentialConfig
  | AwsCredentialConfig
  | GithubAppCredentialConfig
  | StaticCredentialConfig;

export const BUILTIN_IDENTITY: JwtCredentialConfig = { name: 'identity', type: 'jwt', ttlSeconds: 300 };

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function parseCredentials(table: Record<string, unknown>, source: string): CredentialConfig[] {
  const fail = (message: string): never => {
    throw new AgentIdError('ERR_CONFIG_INVALID', `${source}: ${message}`);
  };
  const credentials: CredentialConfig[] = [];
  for (const [name, raw] of Object.entries(table)) {
    const where = `[credentials.${name}]`;
    if (!NAME.test(name)) fail(`${where}: the name must match ${NAME.source}`);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`${where} must be a table`);
    const settings = raw as Record<string, unknown>;
    switch (settings.type) {
      case 'jwt':
        credentials.push(parseJwt(name, settings, fail));
        break;
      case 'aws':
        credentials.push(parseAws(name, settings, fail));
        break;
      case 'github-app':
        credentials.push(parseGithubApp(name, settings, fail));
        break;
      case 'static':
        credentials.push(parseStatic(name, settings, fail));
        break;
      case undefined:
        fail(`${where} type is required (jwt, aws, github-app, static)`);
        break;
      default:
        fail(
          `${where} type ${JSON.stringify(settings.type)} is not supported (jwt, aws, github-app, static)`,
        );
    }
  }
  checkGitHosts(credentials, fail);
  if (!credentials.some((c) => c.name === BUILTIN_IDENTITY.name)) credentials.push(BUILTIN_IDENTITY);
  return credentials;
}

function parseJwt(
  name: string,
  settings: Record<string, unknown>,
  fail: (m: string) => never,
): JwtCredentialConfig {
  const credential: JwtCredentialConfig = { ...BUILTIN_IDENTITY, name };
  for (const [key, value] of Object.entries(settings)) {
    if (key === 'type') continue;
    if (key !== 'ttl_seconds') fail(`[credentials.${name}] unknown key "${key}" for type jwt`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 30 || value > 900) {
      fail(`[credentials.${name}] ttl_seconds must be an integer between 30 and 900`);
    }
    credential.ttlSeconds = value as number;
  }
  return credential;
}

/** The git hosts each credential answers for (github-app: hosts; static: host). */
export function gitHostsOf(credential: CredentialConfig): string[] {
  if (credential.type === 'github-app') return credential.hosts;
  if (credential.type === 'static' && credential.host) return [credential.host];
  return [];
}

/** Refuses a host claimed by two credentials, naming both. */
export function checkGitHosts(credentials: readonly CredentialConfig[], fail: Fail): void {
  const owner = new Map<string, string>();
  for (const credential of credentials) {
    for (const h of gitHostsOf(credential)) {
      const other = owner.get(h);
      if (other) {
        fail(`git host ${h} is claimed by both [credentials.${other}] and [credentials.${credential.name}]`);
      }
      owner.set(h, credential.name);
    }
  }
}
