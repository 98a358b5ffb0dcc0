/** Host names as certificates carry them, read back by node's X509Certificate (OpenSSL's parser). */
import { randomBytes, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { p256 } from '../../src/gateway/session-ca.js';
import { createCertificate, hostName } from '../../src/x509/index.js';

function leafWith(host: string): X509Certificate {
  const key = p256();
  const { pem } = createCertificate({
    serial: Buffer.from('ff'.repeat(20), 'hex'),
    issuer: { commonName: 'issuer' },
    subject: { commonName: 'leaf' },
    notBefore: new Date('2030-01-01T00:00:00Z'),
    notAfter: new Date('2060-01-01T00:00:00Z'),
    subjectKey: key.publicKey,
    issuerKey: key.publicKey,
    signingKey: key.privateKey,
    ca: null,
    altNames: [hostName(host)],
  });
  return new X509Certificate(pem);
}

describe('certificates', () => {
  it.each([
    ['localhost', 'DNS:localhost'],
    ['API.Example.COM', 'DNS:api.example.com'],
    ['10.1.2.3', 'IP Address:10.1.2.3'],
    ['::1', 'IP Address:0:0:0:0:0:0:0:1'],
    ['[2001:db8::8a2e:370:7334]', 'IP Address:2001:DB8:0:0:0:8A2E:370:7334'],
    ['fe80::', 'IP Address:FE80:0:0:0:0:0:0:0'],
    ['::ffff:192.0.2.1', 'IP Address:0:0:0:0:0:FFFF:C000:201'],
  ])('names %s as %s', (host, expected) => {
    expect(leafWith(host).subjectAltName).toBe(expected);
  });

  it('keeps a 20-byte serial positive, spans UTCTime and GeneralizedTime, and is signed by the issuer key', () => {
    const leaf = leafWith('localhost');
    expect(leaf.serialNumber).toBe(`7F${'FF'.repeat(19)}`);
    expect(new Date(leaf.validFrom).toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(new Date(leaf.validTo).toISOString()).toBe('2060-01-01T00:00:00.000Z');
    expect(leaf.verify(leaf.publicKey)).toBe(true);
    expect(leaf.verify(p256().publicKey)).toBe(false);
  });

  it('refuses a serial longer than RFC 5280 allows and a non-ASCII DNS name', () => {
    const key = p256();
    const spec = {
      serial: randomBytes(21),
      issuer: { commonName: 'i' },
      subject: { commonName: 's' },
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 1000),
      subjectKey: key.publicKey,
      issuerKey: key.publicKey,
      signingKey: key.privateKey,
      ca: null,
    };
    expect(() => createCertificate(spec)).toThrow(RangeError);
    expect(() =>
      createCertificate({ ...spec, serial: randomBytes(8), altNames: [{ dns: 'bücher.example' }] }),
    ).toThrow(RangeError);
  });
});
