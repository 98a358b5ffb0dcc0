/**
 * `[credentials.<name>]` of `type = "github-app"` and `type = "static"`: what git (and
 * `agentid exec --env`) can get. Checked strictly at load so a typo names its file, table and key
 * instead of failing at the first clone. Each git host is served by at most one credential: the
 * helper asks by host, and two answers for one host would make the choice silent.
 */
import { validateSecretName } from '../secrets/index.js';

export interface GithubAppCredentialConfig {
  name: string;
  type: 'github-app';
  /** The App JWT's `iss`: the numeric app id or the app's client id. */
  appId: string;
  /** null: looked up per repository (`GET /repos/{owner}/{repo}/installation`). */
  installationId: number | null;
  /** Name of the secret holding the App's PEM private key (`agentid secret set NAME < key.pem`). */
  privateKey: string;
  /** Installation permissions requested for each token, e.g. {contents: 'write'}. */
  permissions: Record<string, GithubPermission>;
  apiUrl: string;
  /** Git hosts (host[:port], as git sends them) this credential answers for. */
  hosts: string[];
  /** Bound on each GitHub API call. */
  timeoutMs: number;
}

export type GithubPermission = 'read' | 'write' | 'admin';

export interface StaticCredentialConfig {
  name: string;
  type: 'static';
  /** Name of the secret in the store. */
  secret: string;
  /** Git host it is the password for; null: only for `agentid exec --env`. */
  host: string | null;
  /** Git username sent with it (required with host). */
  username: string | null;
}

export const GITHUB_DEFAULT_API_URL = 'https://api.github.com';
export const GITHUB_DEFAULT_TIMEOUT_MS = 10_000;
/** Least privilege by default: clone and fetch; pushing needs `contents = "write"`. */
const DEFAULT_PERMISSIONS: Record<string, GithubPermission> = { contents: 'read' };

/** host or host:port, the way git's `host` attribute carries it. */
const HOST = /^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)*(:\d{1,5})?$/;
const APP_ID = /^([1-9]\d{0,18}|Iv[A-Za-z0-9.]{1,64})$/;
const PERMISSION_NAME = /^[a-z][a-z_]{0,63}$/;
const USERNAME = /^[\x21-\x7e]{1,128}$/;
const PERMISSION_LEVELS: readonly string[] = ['read', 'write', 'admin'];

export type Fail = (message: string) => never;

export function parseGithubApp(
  name: string,
  settings: Record<string, unknown>,
  fail: Fail,
): GithubAppCredentialConfig {
  const where = `[credentials.${name}]`;
  const credential: GithubAppCredentialConfig = {
    name,
    type: 'github-app',
    appId: '',
    installationId: null,
    privateKey: '',
    permissions: DEFAULT_PERMISSIONS,
    apiUrl: GITHUB_DEFAULT_API_URL,
    hosts: ['github.com'],
    timeoutMs: GITHUB_DEFAULT_TIMEOUT_MS,
  };
  for (const [key, value] of Object.entries(settings)) {
    switch (key) {
      case 'type':
        break;
      case 'app_id': {
        const id = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
        if (typeof id !== 'string' || !APP_ID.test(id)) {
          fail(`${where} app_id must be the App's numeric id (e.g. 123456) or its client id (Iv1.…)`);
        }
        credential.appId = id as string;
        break;
      }
      case 'installation_id':
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
          fail(`${where} installation_id must be a positive integer (omit it to look it up per repository)`);
        }
        credential.installationId = value as number;
        break;
      case 'private_key':
        credential.privateKey = secretName(value, `${where} private_key`, fail);
        break;
      case 'permissions':
        credential.permissions = parsePermissions(value, `${where} permissions`, fail);
        break;
      case 'api_url':
        credential.apiUrl = httpUrl(value, `${where} api_url`, fail);
        break;
      case 'hosts':
        if (!Array.isArray(value) || value.length === 0) fail(`${where} hosts must be a non-empty array`);
        credential.hosts = (value as unknown[]).map((h) => host(h, `${where} hosts`, fail));
        break;
      case 'timeout_ms':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 100 || value > 120_000) {
          fail(`${where} timeout_ms must be an integer between 100 and 120000`);
        }
        credential.timeoutMs = value as number;
        break;
      default:
        fail(`${where} unknown key "${key}" for type github-app`);
    }
  }
  if (credential.appId === '') fail(`${where} app_id is required for type github-app`);
  if (credential.privateKey === '') {
    fail(
      `${where} private_key is required: the name of a secret set with \`agentid secret set NAME < key.pem\``,
    );
  }
  return credential;
}

export function parseStatic(
  name: string,
  settings: Record<string, unknown>,
  fail: Fail,
): StaticCredentialConfig {
  const where = `[credentials.${name}]`;
  const credential: StaticCredentialConfig = { name, type: 'static', secret: '', host: null, username: null };
  for (const [key, value] of Object.entries(settings)) {
    switch (key) {
      case 'type':
        break;
      case 'secret':
        credential.secret = secretName(value, `${where} secret`, fail);
        break;
      case 'host':
        credential.host = host(value, `${where} host`, fail);
        break;
      case 'username':
        if (typeof value !== 'string' || !USERNAME.test(value)) {
          fail(`${where} username must be 1-128 printable characters without spaces`);
        }
        credential.username = value as string;
        break;
      default:
        fail(`${where} unknown key "${key}" for type static`);
    }
  }
  if (credential.secret === '') {
    fail(`${where} secret is required: the name of a secret set with \`agentid secret set NAME\``);
  }
  if (credential.host !== null && credential.username === null) {
    fail(`${where} username is required with host (the git username that goes with the secret)`);
  }
  return credential;
}

function secretName(value: unknown, what: string, fail: Fail): string {
  try {
    validateSecretName(value as string);
  } catch (err) {
    fail(`${what}: ${(err as Error).message}`);
  }
  return value as string;
}

function host(value: unknown, what: string, fail: Fail): string {
  if (typeof value !== 'string' || !HOST.test(value.toLowerCase())) {
    fail(`${what} must be a host name as git sends it (e.g. github.com or git.example.com:8443)`);
  }
  return (value as string).toLowerCase();
}

function httpUrl(value: unknown, what: string, fail: Fail): string {
  try {
    const url = new URL(value as string);
    if (url.protocol === 'https:' || url.protocol === 'http:') return (value as string).replace(/\/+$/, '');
  } catch {}
  return fail(`${what} must be an http(s) URL such as ${GITHUB_DEFAULT_API_URL}`);
}

function parsePermissions(value: unknown, what: string, fail: Fail): Record<string, GithubPermission> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(`${what} must be a table such as { contents = "write" }`);
  }
  const permissions: Record<string, GithubPermission> = {};
  for (const [key, level] of Object.entries(value)) {
    if (!PERMISSION_NAME.test(key)) fail(`${what}: "${key}" is not a GitHub App permission name`);
    if (typeof level !== 'string' || !PERMISSION_LEVELS.includes(level)) {
      fail(`${what}: ${key} must be "read", "write" or "admin"`);
    }
    permissions[key] = level as GithubPermission;
  }
  if (Object.keys(permissions).length === 0) fail(`${what} must name at least one permission`);
  return permissions;
}
