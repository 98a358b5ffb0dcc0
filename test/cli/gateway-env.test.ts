/** What `agentid exec --http` puts in the child's environment, and the CA bundle it writes. */
import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCaBundle } from '../../cli/ca-bundle.js';
import { parseHttpOptions } from '../../cli/commands/exec.js';
import { gatewayEnv } from '../../cli/gateway-env.js';
import { SessionCa } from '../../src/gateway/session-ca.js';
import type { GatewayResponse } from '../../src/protocol/index.js';

const baseOnly: GatewayResponse = {
  url: 'http://127.0.0.1:4000',
  baseUrls: [{ route: 'openai', variable: 'OPENAI_BASE_URL', url: 'http://127.0.0.1:4000/openai' }],
  proxy: null,
};
const withProxy: GatewayResponse = {
  ...baseOnly,
  proxy: { hosts: ['api.openai.com', 'github.com'], caCertificate: 'PEM' },
};

describe('gatewayEnv', () => {
  it('base-URL mode: one variable per route, no proxy, no trust change', () => {
    expect(gatewayEnv({}, baseOnly, null)).toEqual({ OPENAI_BASE_URL: 'http://127.0.0.1:4000/openai' });
  });

  it('proxy mode: both cases of the proxy variables, NO_PROXY for the daemon, every trust variable', () => {
    expect(gatewayEnv({}, withProxy, '/tmp/x/ca-bundle.pem')).toEqual({
      OPENAI_BASE_URL: 'http://127.0.0.1:4000/openai',
      HTTPS_PROXY: 'http://127.0.0.1:4000',
      https_proxy: 'http://127.0.0.1:4000',
      HTTP_PROXY: 'http://127.0.0.1:4000',
      http_proxy: 'http://127.0.0.1:4000',
      NO_PROXY: '127.0.0.1',
      no_proxy: '127.0.0.1',
      SSL_CERT_FILE: '/tmp/x/ca-bundle.pem',
      NODE_EXTRA_CA_CERTS: '/tmp/x/ca-bundle.pem',
      REQUESTS_CA_BUNDLE: '/tmp/x/ca-bundle.pem',
      CURL_CA_BUNDLE: '/tmp/x/ca-bundle.pem',
      GIT_SSL_CAINFO: '/tmp/x/ca-bundle.pem',
      AWS_CA_BUNDLE: '/tmp/x/ca-bundle.pem',
    });
  });

  it('keeps the user’s NO_PROXY entries except those that would route a route host around the gateway', () => {
    const env = gatewayEnv(
      { NO_PROXY: 'internal.corp, .github.com,*', no_proxy: 'api.openai.com:443,10.0.0.1' },
      withProxy,
      null,
    );
    expect(env.NO_PROXY).toBe('127.0.0.1,internal.corp,10.0.0.1');
    expect(env.no_proxy).toBe(env.NO_PROXY);
    expect(env.SSL_CERT_FILE).toBeUndefined();
  });
});

describe('parseHttpOptions', () => {
  it.each([
    [undefined, false, null],
    [undefined, true, { routes: [], proxy: true }],
    [['openai,github', 'github'], false, { routes: ['openai', 'github'], proxy: false }],
    ['openai', true, { routes: ['openai'], proxy: true }],
  ])('%j proxy=%j', (value, proxy, expected) => {
    expect(parseHttpOptions(value, proxy)).toEqual(expected);
  });

  it('refuses an empty route name', () => {
    expect(() => parseHttpOptions('openai,', false)).toThrow(/route names/);
  });
});

describe('writeCaBundle', () => {
  it('writes the system roots, the user’s own bundles and the session CA, privately, and removes them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentid-bundle-test-'));
    const ca = new SessionCa({ sessionId: 's', hosts: ['localhost'], now: () => new Date(), randomBytes });
    const company = new SessionCa({
      sessionId: 'company',
      hosts: ['corp.example'],
      now: () => new Date(),
      randomBytes,
    });
    const companyFile = join(dir, 'company.pem');
    writeFileSync(companyFile, company.certificate.pem);
    const bundle = writeCaBundle(
      { NODE_EXTRA_CA_CERTS: companyFile, SSL_CERT_FILE: join(dir, 'missing.pem') },
      ca.certificate.pem,
    );
    try {
      expect(statSync(bundle.path).mode & 0o777).toBe(0o600);
      const text = readFileSync(bundle.path, 'utf8');
      const pems = text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
      // Many system roots, then the company CA, then the session CA last.
      expect(pems.length).toBeGreaterThan(50);
      expect(pems.at(-1)).toBe(ca.certificate.pem.trim());
      expect(pems.at(-2)).toBe(company.certificate.pem.trim());
      for (const pem of pems) expect(() => new X509Certificate(pem)).not.toThrow();
      expect(text).not.toMatch(/PRIVATE KEY/);
    } finally {
      bundle.remove();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(existsSync(bundle.path)).toBe(false);
  });
});
