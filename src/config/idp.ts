/**
 * `[idp]` in config.toml: the company identity provider the human logs in with (src/identity
 * runs the login). Kept with the rest of config.toml rather than in src/identity, so reading the
 * config never loads the OIDC client. The client secret is never in the file: `client_secret`
 * names a secret in the secret store.
 */
import { AgentIdError } from '../errors.js';

export interface IdpConfig {
  issuer: string;
  clientId: string;
  /** Name of a secret in the store holding the client secret; null for a public client. */
  clientSecretName: string | null;
  scopes: string[];
  /** Sent as `audience` on the authorization request (Auth0, Okta style API audiences). */
  audience: string | null;
  groupsClaim: string;
  /** Bound on every outbound call to the provider. */
  timeoutMs: number;
}

const DEFAULT_SCOPES = ['openid', 'profile', 'email', 'offline_access'];
const DEFAULT_TIMEOUT_MS = 10_000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function parseIdpConfig(table: Record<string, unknown>, source: string): IdpConfig {
  const fail = (message: string): never => {
    throw new AgentIdError('ERR_CONFIG_INVALID', `${source}: [idp] ${message}`);
  };
  const text = (key: string): string | null => {
    const v = table[key];
    if (v === undefined) return null;
    if (typeof v !== 'string' || v.trim() === '') return fail(`${key} must be a non-empty string`);
    return v;
  };
  for (const key of Object.keys(table)) {
    if (!KEYS.has(key)) fail(`unknown key "${key}"`);
  }
  const issuer = text('issuer') ?? fail('issuer is required (the URL of your identity provider)');
  checkIssuer(issuer, fail);
  const clientId = text('client_id') ?? fail('client_id is required (the client registered for agentid)');
  const scopes = table.scopes === undefined ? DEFAULT_SCOPES : table.scopes;
  if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string' || !/^[\x21-\x7e]+$/.test(s))) {
    return fail('scopes must be a list of scope names, e.g. ["openid", "email"]');
  }
  if (!scopes.includes('openid')) fail('scopes must include "openid": the login needs an ID token');
  const timeoutMs = table.timeout_ms ?? DEFAULT_TIMEOUT_MS;
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isInteger(timeoutMs) ||
    timeoutMs < 100 ||
    timeoutMs > 120_000
  ) {
    fail('timeout_ms must be an integer between 100 and 120000');
  }
  return {
    issuer,
    clientId,
    clientSecretName: text('client_secret'),
    scopes: [...scopes] as string[],
    audience: text('audience'),
    groupsClaim: text('groups_claim') ?? 'groups',
    timeoutMs: timeoutMs as number,
  };
}

const KEYS = new Set([
  'issuer',
  'client_id',
  'client_secret',
  'scopes',
  'audience',
  'groups_claim',
  'timeout_ms',
]);

// Tokens travel over this connection: plain http only where it never leaves the machine.
function checkIssuer(issuer: string, fail: (message: string) => never): void {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    fail(`issuer is not a URL: ${issuer}`);
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return;
  fail(`issuer must be an https:// URL (plain http only on 127.0.0.1 / localhost): ${issuer}`);
}

/** Whether requests to the issuer may use plain http (loopback test and dev providers). */
export function isLoopbackIssuer(issuer: string): boolean {
  const url = new URL(issuer);
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}
