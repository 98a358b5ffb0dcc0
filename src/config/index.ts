/**
 * config.toml: parsed once, validated strictly (an unknown table or key is an error naming it,
 * so a typo never silently weakens a setting), merged over embedded defaults. Absent file =
 * defaults: the embedded defaults must run a useful daemon with no setup at all.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import { AgentIdError } from '../errors.js';
import { defaultConfig } from './defaults.js';
import { type Config, validateConfig } from './validate.js';

export type { AuditShipConfig, JsonlFileTarget, SyslogTarget } from './audit-ship.js';
export { AWS_REGION, type AwsCredentialConfig } from './aws-credential.js';
export { type CredentialConfig, gitHostsOf, type JwtCredentialConfig } from './credentials.js';
export { defaultConfig } from './defaults.js';
export type { GithubAppCredentialConfig, StaticCredentialConfig } from './git-credentials.js';
export { defaultGatewayConfig, type GatewayConfig, type HttpRouteConfig, type OtherHosts } from './http.js';
export { type IdpConfig, isLoopbackIssuer } from './idp.js';
export { type LiveChange, liveChange } from './live.js';
export type { PolicyConfig, PolicyGitConfig } from './policy.js';
export type { Config } from './validate.js';

/** Pure: TOML text to a validated Config. `source` names the file in errors. */
export function parseConfig(text: string, source: string): Config {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (err) {
    const where = err instanceof TomlError ? ` (line ${err.line}, column ${err.column})` : '';
    const why = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
    throw new AgentIdError('ERR_CONFIG_INVALID', `${source}${where}: ${why}`);
  }
  return validateConfig(doc, source, defaultConfig());
}

/** The config file as read: its text (null when there is none) and that text's sha256. */
export interface ConfigFile {
  text: string | null;
  sha256: string | null;
}

export function readConfigFile(path: string): ConfigFile {
  try {
    const text = readFileSync(path, 'utf8');
    return { text, sha256: createHash('sha256').update(text).digest('hex') };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { text: null, sha256: null };
    throw new AgentIdError('ERR_CONFIG_INVALID', `cannot read ${path}: ${(err as Error).message}`);
  }
}

/** The Config a read file says; no file = the embedded defaults. */
export function configOf(file: ConfigFile, path: string): Config {
  return file.text === null ? defaultConfig() : parseConfig(file.text, path);
}

export function loadConfig(path: string): Config {
  return configOf(readConfigFile(path), path);
}
