/**
 * The per-session CA, checked by the parsers that matter: OpenSSL's (`openssl x509 -text`,
 * `openssl verify`) and node's (X509Certificate, a real TLS handshake). The attack: the CA key
 * itself (kept through our key-generation seam, as if stolen from the daemon) signs a leaf for a
 * host outside the routes, and every verifier refuses it because of the name constraints.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkServerIdentity, connect, createServer } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentIdError } from '../../src/errors.js';
import { type KeyPair, p256, SessionCa } from '../../src/gateway/session-ca.js';
import { createCertificate, type HostName, hostName } from '../../src/x509/index.js';
import { missing } from '../peers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'agentid-ca-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const noOpenssl = missing('openssl');

/** A session CA whose key the test keeps: the attacker's best case. */
function stolenCa(hosts: string[], now = () => new Date()): { ca: SessionCa; key: KeyPair } {
  let key: KeyPair | undefined;
  const ca = new SessionCa({
    sessionId: 'test-session',
    hosts,
    now,
    randomBytes,
    generateKey: () => {
      key = p256();
      return key;
    },
  });
  return { ca, key: key as KeyPair };
}

/** A leaf signed with the CA's key for whatever names the attacker likes. */
function forgedLeaf(key: KeyPair, commonName: string, altNames: HostName[]) {
  const leafKey = p256();
  const now = Date.now();
  const certificate = createCertificate({
    serial: randomBytes(16),
    issuer: { organization: 'agentid', commonName: 'agentid session test-session' },
    subject: { commonName },
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 3_600_000),
    subjectKey: leafKey.publicKey,
    issuerKey: key.publicKey,
    signingKey: key.privateKey,
    ca: null,
    altNames,
  });
  return {
    certificatePem: certificate.pem,
    keyPem: leafKey.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

let files = 0;
function write(pem: string): string {
  const path = join(dir, `${files++}.pem`);
  writeFileSync(path, pem);
  return path;
}

function openssl(args: string[]): { status: number | null; out: string } {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

function verify(caPem: string, leafPem: string, extra: string[] = []) {
  return openssl([
    'verify',
    '-x509_strict',
    '-purpose',
    'sslserver',
    '-CAfile',
    write(caPem),
    ...extra,
    write(leafPem),
  ]);
}

/** A real TLS handshake: a server presenting the leaf, a client trusting only the CA. */
async function handshake(
  caPem: string,
  leaf: { certificatePem: string; keyPem: string },
  servername: string,
) {
  const server = createServer({ cert: leaf.certificatePem, key: leaf.keyPem }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await new Promise<{ ok: true } | { ok: false; code: string; message: string }>((resolve) => {
      const socket = connect({
        port: (server.address() as AddressInfo).port,
        host: '127.0.0.1',
        servername:
          servername.includes(':') || /^\d+\.\d+\.\d+\.\d+$/.test(servername) ? undefined : servername,
        ca: caPem,
        // The client's own name check, with the name it meant to reach.
        checkServerIdentity: (_host, cert) => checkServerIdentity(servername, cert),
      });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve({ ok: true });
      });
      socket.once('error', (err: NodeJS.ErrnoException) =>
        resolve({ ok: false, code: err.code ?? '', message: err.message }),
      );
    });
  } finally {
    server.close();
  }
}

describe('session CA certificate', () => {
  const { ca } = stolenCa(['localhost', 'API.example.test']);

  it('is a CA for leaves only, as node reads it', () => {
    const x509 = new X509Certificate(ca.certificate.pem);
    expect(x509.ca).toBe(true);
    expect(x509.subject).toContain('CN=agentid session test-session');
    expect(x509.issuer).toBe(x509.subject);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(Buffer.compare(x509.raw, ca.certificate.der)).toBe(0);
  });

  it.skipIf(noOpenssl !== null)(
    'carries critical name constraints for exactly the route hosts (openssl x509 -text)',
    () => {
      const { status, out } = openssl(['x509', '-noout', '-text', '-in', write(ca.certificate.pem)]);
      expect(status).toBe(0);
      expect(out).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
      expect(out).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
      expect(out).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
      expect(out).toMatch(
        /X509v3 Name Constraints: critical\s+Permitted:\s+DNS:localhost\s+DNS:api\.example\.test\s+Excluded:\s+IP:0\.0\.0\.0\/0\.0\.0\.0\s+IP:0:0:0:0:0:0:0:0\/0:0:0:0:0:0:0:0/,
      );
      expect(out).toMatch(/X509v3 Subject Key Identifier/);
      // openssl verifies a self-signed root against itself.
      expect(verify(ca.certificate.pem, ca.certificate.pem, ['-purpose', 'any']).status).toBe(0);
    },
  );

  it('mints a leaf only for route hosts, case-insensitively, and keeps it for the session', () => {
    const leaf = ca.leafFor('LOCALHOST');
    expect(leaf.host).toBe('localhost');
    expect(ca.leafFor('localhost')).toBe(leaf);
    const x509 = new X509Certificate(leaf.certificatePem);
    expect(x509.ca).toBe(false);
    expect(x509.subjectAltName).toBe('DNS:localhost');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkHost('evil.example')).toBeUndefined();
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    const issuer = new X509Certificate(ca.certificate.pem);
    expect(x509.checkIssued(issuer)).toBe(true);
    expect(x509.verify(issuer.publicKey)).toBe(true);
  });

  it.each(['evil.example', 'sub.localhost', 'localhost.evil.example', '127.0.0.1', '::1', ''])(
    'refuses to mint a certificate for %j',
    (host) => {
      const error = (() => {
        try {
          ca.leafFor(host);
        } catch (err) {
          return err;
        }
      })();
      expect(error).toBeInstanceOf(AgentIdError);
      expect((error as AgentIdError).code).toBe('ERR_GATEWAY_CERT_REFUSED');
    },
  );

  it('mints a fresh leaf when the cached one nears its end', () => {
    let now = Date.now();
    const { ca: clocked } = stolenCa(['localhost'], () => new Date(now));
    const first = clocked.leafFor('localhost');
    now += 22 * 3_600_000;
    expect(clocked.leafFor('localhost')).toBe(first);
    now += 2 * 3_600_000;
    const second = clocked.leafFor('localhost');
    expect(second).not.toBe(first);
    expect(second.notAfter.getTime()).toBeGreaterThan(first.notAfter.getTime());
  });
});

describe.skipIf(noOpenssl !== null)(
  'a leaf signed with the CA key for another host fails verification',
  () => {
    const { ca, key } = stolenCa(['localhost']);

    it('openssl verify accepts the minted leaf for the route host', () => {
      const { status, out } = verify(ca.certificate.pem, ca.leafFor('localhost').certificatePem, [
        '-verify_hostname',
        'localhost',
      ]);
      expect(out).toMatch(/: OK/);
      expect(status).toBe(0);
    });

    it.each([
      [
        'a DNS name outside the routes',
        'evil.example',
        [{ dns: 'evil.example' }],
        /permitted subtree violation/,
      ],
      ['an IP address', '127.0.0.1', [hostName('127.0.0.1')], /excluded subtree violation/],
      ['an IPv6 address', 'evil', [hostName('::1')], /excluded subtree violation/],
      ['a common name and no alt name', 'evil.example', [], /permitted subtree violation/],
      [
        'the route host plus another name',
        'localhost',
        [{ dns: 'localhost' }, { dns: 'evil.example' }],
        /permitted subtree violation/,
      ],
    ] as const)('openssl verify refuses %s', (_what, commonName, altNames, reason) => {
      const forged = forgedLeaf(key, commonName, [...altNames]);
      const { status, out } = verify(ca.certificate.pem, forged.certificatePem);
      expect(out).toMatch(reason);
      expect(status).not.toBe(0);
    });

    it('node TLS accepts the minted leaf and refuses a forged one for another host', async () => {
      expect(await handshake(ca.certificate.pem, ca.leafFor('localhost'), 'localhost')).toEqual({ ok: true });
      const refused = await handshake(
        ca.certificate.pem,
        forgedLeaf(key, 'evil.example', [{ dns: 'evil.example' }]),
        'evil.example',
      );
      // Node has no name of its own for these OpenSSL verify errors (code UNSPECIFIED): the message says it.
      expect(refused).toMatchObject({ ok: false, message: 'permitted subtree violation' });
      const refusedIp = await handshake(
        ca.certificate.pem,
        forgedLeaf(key, 'x', [hostName('127.0.0.1')]),
        '127.0.0.1',
      );
      expect(refusedIp).toMatchObject({ ok: false, message: 'excluded subtree violation' });
    });
  },
);

describe.skipIf(noOpenssl !== null)('a CA for an IP route host', () => {
  const { ca, key } = stolenCa(['127.0.0.2']);

  it('permits that one address and no DNS name that resolves', () => {
    const { out } = openssl(['x509', '-noout', '-text', '-in', write(ca.certificate.pem)]);
    expect(out).toMatch(/Permitted:\s+DNS:invalid\s+IP:127\.0\.0\.2\/255\.255\.255\.255/);
    expect(out).not.toMatch(/Excluded/);
    const leaf = ca.leafFor('127.0.0.2');
    expect(new X509Certificate(leaf.certificatePem).subjectAltName).toBe('IP Address:127.0.0.2');
    expect(verify(ca.certificate.pem, leaf.certificatePem, ['-verify_ip', '127.0.0.2']).status).toBe(0);
    for (const altNames of [[hostName('127.0.0.3')], [{ dns: 'evil.example' }], [hostName('::1')]]) {
      const { status, out: why } = verify(ca.certificate.pem, forgedLeaf(key, 'x', altNames).certificatePem);
      expect(why).toMatch(/permitted subtree violation/);
      expect(status).not.toBe(0);
    }
  });
});
