/** Route matching for both modes (pure). */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import type { AgentIdError } from '../../src/errors.js';
import { baseUrlTarget, parseAuthority, proxyTarget, tlsHosts } from '../../src/gateway/routes.js';

const { http: routes } = parseConfig(
  `
[credentials.k]
type = "static"
secret = "k"
[http.openai]
upstream = "https://api.openai.com/v1"
credential = "k"
[http.admin]
upstream = "https://api.openai.com/v1/admin"
credential = "k"
[http.git]
upstream = "https://localhost:8443"
credential = "k"
[http.local]
upstream = "http://127.0.0.1:9000/api"
credential = "k"
[http.v6]
upstream = "https://[::1]:8443"
credential = "k"
`,
  'c.toml',
);

function invalid(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    return (err as AgentIdError).code;
  }
  return 'no error';
}

describe('base-URL mode', () => {
  it.each([
    [
      '/openai/chat/completions',
      'openai',
      'https://api.openai.com:443',
      '/v1/chat/completions',
      '/v1/chat/completions',
    ],
    ['/openai/models?limit=2', 'openai', 'https://api.openai.com:443', '/v1/models?limit=2', '/v1/models'],
    ['/openai', 'openai', 'https://api.openai.com:443', '/v1', '/v1'],
    ['/openai?x=1', 'openai', 'https://api.openai.com:443', '/v1?x=1', '/v1'],
    [
      '/git/acme/widgets.git/info/refs?service=git-upload-pack',
      'git',
      'https://localhost:8443',
      '/acme/widgets.git/info/refs?service=git-upload-pack',
      '/acme/widgets.git/info/refs',
    ],
    ['/git', 'git', 'https://localhost:8443', '/', '/'],
    ['/v6/x', 'v6', 'https://[::1]:8443', '/x', '/x'],
  ])('%s → route %s at %s%s', (path, name, origin, upstreamPath, pathname) => {
    expect(baseUrlTarget(routes, path)).toMatchObject({
      route: { name },
      origin,
      path: upstreamPath,
      pathname,
    });
  });

  it.each(['/', '/nope/x', '//openai', 'openai/x', '*'])('no route for %j', (path) => {
    expect(baseUrlTarget(routes, path)).toBeNull();
  });

  it.each(['/openai/../admin', '/openai/./x', '/openai/%2e%2E/x', '/openai/a%2f..%2fb', '/openai/a/..'])(
    'refuses the dot segments of %j',
    (path) => {
      expect(invalid(() => baseUrlTarget(routes, path))).toBe('ERR_GATEWAY_REQUEST_INVALID');
    },
  );
});

describe('proxy mode', () => {
  it('picks the longest prefix of the host’s routes', () => {
    expect(proxyTarget(routes, 'https:', 'API.openai.com', 443, '/v1/admin/keys')).toMatchObject({
      kind: 'route',
      target: { route: { name: 'admin' }, path: '/v1/admin/keys', pathname: '/v1/admin/keys' },
    });
    expect(proxyTarget(routes, 'https:', 'api.openai.com', 443, '/v1/models?x')).toMatchObject({
      kind: 'route',
      target: { route: { name: 'openai' }, path: '/v1/models?x', pathname: '/v1/models' },
    });
    expect(proxyTarget(routes, 'https:', 'api.openai.com', 443, '/v1')).toMatchObject({
      target: { route: { name: 'openai' } },
    });
  });

  it('tells a path outside every prefix from a host with no route', () => {
    expect(proxyTarget(routes, 'https:', 'api.openai.com', 443, '/v2/models')).toEqual({ kind: 'no-route' });
    expect(proxyTarget(routes, 'https:', 'api.openai.com', 443, '/v10')).toEqual({ kind: 'no-route' });
    expect(proxyTarget(routes, 'https:', 'example.com', 443, '/')).toEqual({ kind: 'other-host' });
    // Another port, or plain http to an https route's host, is another host: no credential goes there.
    expect(proxyTarget(routes, 'https:', 'api.openai.com', 8443, '/v1')).toEqual({ kind: 'other-host' });
    expect(proxyTarget(routes, 'http:', 'api.openai.com', 443, '/v1')).toEqual({ kind: 'other-host' });
    expect(proxyTarget(routes, 'http:', '127.0.0.1', 9000, '/api/x')).toMatchObject({
      target: { route: { name: 'local' } },
    });
    expect(proxyTarget(routes, 'https:', '[::1]', 8443, '/')).toMatchObject({
      target: { route: { name: 'v6' } },
    });
  });

  it('refuses dot segments and targets that are not paths', () => {
    expect(invalid(() => proxyTarget(routes, 'https:', 'api.openai.com', 443, '/v1/../v2'))).toBe(
      'ERR_GATEWAY_REQUEST_INVALID',
    );
    expect(invalid(() => proxyTarget(routes, 'https:', 'api.openai.com', 443, '*'))).toBe(
      'ERR_GATEWAY_REQUEST_INVALID',
    );
  });

  it('lists the TLS hosts for the session CA', () => {
    expect(tlsHosts(routes).sort()).toEqual(['::1', 'api.openai.com', 'localhost']);
  });

  it.each([
    ['api.openai.com:443', { host: 'api.openai.com', port: 443 }],
    ['LOCALHOST:8443', { host: 'localhost', port: 8443 }],
    ['[::1]:8443', { host: '::1', port: 8443 }],
    ['127.0.0.2:1', { host: '127.0.0.2', port: 1 }],
    ['api.openai.com', null],
    ['a:0', null],
    ['a:65536', null],
    ['a b:1', null],
    ['user@host:1', null],
  ])('parses the CONNECT authority %j', (authority, expected) => {
    expect(parseAuthority(authority)).toEqual(expected);
  });
});
