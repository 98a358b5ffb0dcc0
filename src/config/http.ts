/**
 * `[http.<name>]` routes of the secretless gateway and its `[gateway]` table. A route names an
 * upstream and the credential the gateway attaches to requests bound there; the agent never sees
 * the value. Checked strictly at load, each error naming its table and key, because a typo here
 * would otherwise show up as a credential sent to the wrong place or not at all.
 */
import { isIP } from 'node:net';
import type { CredentialConfig } from './credentials.js';

export interface HttpRouteConfig {
  name: string;
  /** The upstream as configured, without a trailing slash: scheme, host, optional port and path prefix. */
  upstream: string;
  protocol: 'https:' | 'http:';
  /** Lower case; an IPv6 address without brackets. */
  host: string;
  port: number;
  /** '' or a path starting with '/' and not ending with one. */
  pathPrefix: string;
  credential: string;
  /** The header that carries the credential, as configured (HTTP compares it case-insensitively). */
  header: string;
  /** How the value is written into the header: `{value}`, or `{basic}` (base64 of username:value). */
  format: string;
  /** Base-URL mode: the child's variable that gets http://127.0.0.1:PORT/<name>. */
  env: string | null;
  /** Extra trust for an internal upstream (PEM), on top of the system roots. */
  caFile: string | null;
}

export type OtherHosts = 'tunnel' | 'deny';

export interface GatewayConfig {
  /** Proxy mode, for hosts no route of the session names: CONNECT tunnels them untouched, or refuses. */
  otherHosts: OtherHosts;
  connectTimeoutMs: number;
  /** Until the upstream's response headers arrive (a slow model may think a while). */
  responseTimeoutMs: number;
  /** Longest silence while a body streams, either way. */
  idleTimeoutMs: number;
  /** Per session. */
  maxConnections: number;
  maxHeaderBytes: number;
}

export function defaultGatewayConfig(): GatewayConfig {
  return {
    otherHosts: 'tunnel',
    connectTimeoutMs: 10_000,
    responseTimeoutMs: 300_000,
    idleTimeoutMs: 300_000,
    maxConnections: 256,
    maxHeaderBytes: 32 * 1024,
  };
}

type Fail = (message: string) => never;

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** An HTTP field name (RFC 9110 5.1). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
/** The gateway writes these itself, or they belong to one connection: a credential cannot live there. */
const RESERVED_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'proxy-connection',
]);
/** What `agentid exec` sets itself; a route variable must not overwrite them. */
const RESERVED_ENV =
  /^(AGENTID_.*|(HTTPS?|ALL|NO)_PROXY|(https?|all|no)_proxy|SSL_CERT_FILE|NODE_EXTRA_CA_CERTS|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|GIT_SSL_CAINFO|AWS_CA_BUNDLE|PATH)$/;
const PLACEHOLDER = /\{(value|basic)\}/g;

const gatewayIntegers = {
  connect_timeout_ms: ['connectTimeoutMs', 100, 120_000],
  response_timeout_ms: ['responseTimeoutMs', 100, 3_600_000],
  idle_timeout_ms: ['idleTimeoutMs', 100, 3_600_000],
  max_connections: ['maxConnections', 1, 10_000],
  max_header_bytes: ['maxHeaderBytes', 1024, 256 * 1024],
} as const satisfies Record<string, readonly [keyof GatewayConfig, number, number]>;

export function parseGateway(table: Record<string, unknown>, fail: Fail): GatewayConfig {
  const config = defaultGatewayConfig();
  for (const [key, value] of Object.entries(table)) {
    if (key === 'other_hosts') {
      if (value !== 'tunnel' && value !== 'deny') fail('[gateway] other_hosts must be "tunnel" or "deny"');
      config.otherHosts = value as OtherHosts;
      continue;
    }
    const spec = gatewayIntegers[key as keyof typeof gatewayIntegers];
    if (!spec) fail(`unknown key "${key}" in [gateway]`);
    const [field, min, max] = spec;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      fail(`[gateway] ${key} must be an integer between ${min} and ${max}`);
    }
    (config[field] as number) = value as number;
  }
  return config;
}

/** The routes, each checked on its own; `checkHttpRoutes` then checks them against the credentials. */
export function parseHttpRoutes(table: Record<string, unknown>, fail: Fail): HttpRouteConfig[] {
  return Object.entries(table).map(([name, raw]) => {
    const where = `[http.${name}]`;
    if (!NAME.test(name)) fail(`${where}: the name must match ${NAME.source} (it is a URL path segment)`);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`${where} must be a table`);
    const settings = raw as Record<string, unknown>;
    let upstream: ReturnType<typeof parseUpstream> | undefined;
    const string = (key: string, value: unknown) => {
      if (typeof value !== 'string' || value === '') fail(`${where} ${key} must be a non-empty string`);
      return value as string;
    };
    const route: Omit<HttpRouteConfig, keyof ReturnType<typeof parseUpstream>> = {
      name,
      credential: '',
      header: 'Authorization',
      format: '',
      env: null,
      caFile: null,
    };
    for (const [key, value] of Object.entries(settings)) {
      switch (key) {
        case 'upstream':
          upstream = parseUpstream(string(key, value), where, fail);
          break;
        case 'credential':
          route.credential = string(key, value);
          break;
        case 'header':
          if (!TOKEN.test(string(key, value))) fail(`${where} header must be an HTTP header name`);
          if (RESERVED_HEADERS.has((value as string).toLowerCase())) {
            fail(
              `${where} header ${value} is managed by the gateway; use Authorization or an API-key header`,
            );
          }
          route.header = value as string;
          break;
        case 'format':
          route.format = parseFormat(string(key, value), where, fail);
          break;
        case 'env':
          if (!ENV_VAR.test(string(key, value))) fail(`${where} env must be an environment variable name`);
          if (RESERVED_ENV.test(value as string)) fail(`${where} env ${value} is set by agentid exec itself`);
          route.env = value as string;
          break;
        case 'ca_file':
          if (!string(key, value).startsWith('/'))
            fail(`${where} ca_file must be an absolute path to a PEM file`);
          route.caFile = value as string;
          break;
        default:
          fail(`${where} unknown key "${key}" (upstream, credential, header, format, env, ca_file)`);
      }
    }
    if (!upstream) return fail(`${where} upstream is required, e.g. upstream = "https://api.example.com"`);
    if (route.credential === '')
      fail(`${where} credential is required: the [credentials.<name>] it attaches`);
    return { ...route, ...upstream };
  });
}

/**
 * Against the credentials: each route's credential exists and can be attached to a request
 * (aws cannot: SigV4 signs the whole request, and `agentid exec --aws` serves it already); the
 * default format follows the credential type; base-URL variables and upstreams are not shared.
 */
export function checkHttpRoutes(
  routes: HttpRouteConfig[],
  credentials: readonly CredentialConfig[],
  fail: Fail,
): HttpRouteConfig[] {
  const seenEnv = new Map<string, string>();
  const seenUpstream = new Map<string, string>();
  return routes.map((route) => {
    const where = `[http.${route.name}]`;
    const credential = credentials.find((c) => c.name === route.credential);
    if (!credential) {
      fail(`${where} credential ${route.credential} is not defined: add [credentials.${route.credential}]`);
    }
    if (credential.type === 'aws') {
      fail(
        `${where} credential ${credential.name} is of type aws, which the gateway cannot attach (use agentid exec --aws)`,
      );
    }
    if (route.env) {
      const other = seenEnv.get(route.env);
      if (other) fail(`${where} env ${route.env} is also the env of [http.${other}]`);
      seenEnv.set(route.env, route.name);
    }
    const other = seenUpstream.get(route.upstream);
    if (other) fail(`${where} upstream ${route.upstream} is also the upstream of [http.${other}]`);
    seenUpstream.set(route.upstream, route.name);
    // Git sends HTTP Basic; a GitHub App token is the password of x-access-token.
    const format = route.format || (credential.type === 'github-app' ? 'Basic {basic}' : 'Bearer {value}');
    const hasUsername =
      credential.type === 'github-app' || (credential.type === 'static' && credential.username);
    if (format.includes('{basic}') && !hasUsername) {
      fail(`${where} format {basic} needs a username: github-app, or a static credential with username`);
    }
    return { ...route, format };
  });
}

function parseUpstream(
  value: string,
  where: string,
  fail: Fail,
): Pick<HttpRouteConfig, 'upstream' | 'protocol' | 'host' | 'port' | 'pathPrefix'> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`${where} upstream must be a URL such as https://api.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(`${where} upstream must be an https URL`);
  if (url.username || url.password) fail(`${where} upstream must not carry a user or password`);
  if (url.search || url.hash || value.includes('?') || value.includes('#')) {
    fail(`${where} upstream must not have a query or fragment`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  // A credential never crosses a network in clear text: plain http only to this machine.
  if (url.protocol === 'http:' && !isLoopback(host)) {
    fail(`${where} upstream must be https (plain http only to localhost or a loopback address)`);
  }
  const pathPrefix = url.pathname.replace(/\/+$/, '');
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return {
    upstream: `${url.protocol}//${url.host}${pathPrefix}`,
    protocol: url.protocol,
    host,
    port,
    pathPrefix,
  };
}

function parseFormat(value: string, where: string, fail: Fail): string {
  if (!/^[\x20-\x7e]+$/.test(value)) fail(`${where} format must be printable ASCII on one line`);
  const placeholders = value.match(PLACEHOLDER) ?? [];
  if (placeholders.length !== 1) fail(`${where} format must contain {value} or {basic} exactly once`);
  if (value.replace(PLACEHOLDER, '').includes('{')) fail(`${where} format knows only {value} and {basic}`);
  return value;
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}
