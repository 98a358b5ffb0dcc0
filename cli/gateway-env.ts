/**
 * What `agentid exec --http` adds to the child's environment (pure; table tests): a loopback base
 * URL per route with `env`, and with `--http-proxy` the proxy variables every HTTP stack reads
 * (curl and git read lower case, others upper case) and the CA bundle variables. None of them is
 * a secret: the gateway holds the credentials and the session CA's key.
 */
import type { Env } from '../src/paths.js';
import type { GatewayResponse } from '../src/protocol/index.js';

/** Trust-store variables of OpenSSL, Node, Python requests, curl, git and the AWS SDKs/CLI. */
export const CA_BUNDLE_VARIABLES = [
  'SSL_CERT_FILE',
  'NODE_EXTRA_CA_CERTS',
  'REQUESTS_CA_BUNDLE',
  'CURL_CA_BUNDLE',
  'GIT_SSL_CAINFO',
  'AWS_CA_BUNDLE',
] as const;

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'] as const;

/** The daemon's own loopback endpoints (this gateway's base URLs, the AWS container endpoint). */
const DAEMON_ENDPOINTS = '127.0.0.1';

export function gatewayEnv(
  parent: Env,
  gateway: GatewayResponse,
  caBundle: string | null,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { variable, url } of gateway.baseUrls) env[variable] = url;
  if (!gateway.proxy) return env;
  for (const name of PROXY_VARIABLES) env[name] = gateway.url;
  // ALL_PROXY would send what ignores the others (SOCKS-minded tools) around the gateway's rules.
  env.NO_PROXY = noProxy(parent, gateway.proxy.hosts);
  env.no_proxy = env.NO_PROXY;
  if (caBundle) for (const name of CA_BUNDLE_VARIABLES) env[name] = caBundle;
  return env;
}

/**
 * The daemon's endpoints, plus what the user already kept off proxies, except the route hosts:
 * those must reach the gateway, or their requests would go out without the credential.
 */
function noProxy(parent: Env, routeHosts: readonly string[]): string {
  const inherited = `${parent.NO_PROXY ?? ''},${parent.no_proxy ?? ''}`
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && !covers(entry, routeHosts));
  return [...new Set([DAEMON_ENDPOINTS, ...inherited])].join(',');
}

/** Whether a NO_PROXY entry (a host, `.domain`, `*.domain` or `*`) matches one of the hosts. */
function covers(entry: string, hosts: readonly string[]): boolean {
  if (entry === '*') return true;
  const bare = entry
    .toLowerCase()
    .replace(/^\*?\.?/, '')
    .replace(/:\d+$/, '');
  return hosts.some((host) => host === bare || host.endsWith(`.${bare}`));
}
