/**
 * X.509 v3 certificates (RFC 5280) signed with ECDSA P-256 / SHA-256, built with the DER encoder
 * and node:crypto, which can make keys and signatures but not certificates. Only what a TLS server
 * certificate and a name-constrained private CA need: no CRL or OCSP pointers, since these
 * certificates live in one daemon's memory for one session and are never revoked, only forgotten.
 */
import { createHash, type KeyObject, sign } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import {
  bitString,
  boolean,
  explicit,
  implicitConstructed,
  implicitPrimitive,
  namedBits,
  octetString,
  oid,
  sequence,
  setOf,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der.js';

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/** keyUsage bit numbers (RFC 5280 4.2.1.3). */
const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

/** A host as certificates name it: a DNS name, or an IP address (4 or 16 bytes). */
export type HostName = { dns: string } | { ip: Buffer };

export interface DistinguishedName {
  commonName: string;
  organization?: string;
}

export interface CertificateSpec {
  /** Positive, at most 20 bytes (RFC 5280 4.1.2.2); random, so no two certificates share one. */
  serial: Buffer;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  notBefore: Date;
  notAfter: Date;
  subjectKey: KeyObject;
  issuerKey: KeyObject;
  /** The issuer's private key, which signs. */
  signingKey: KeyObject;
  /** A CA certificate (basicConstraints cA, keyCertSign) with this pathLenConstraint; null: a TLS server leaf. */
  ca: { pathLength: number; permitted: readonly HostName[] } | null;
  /** A leaf's subjectAltName entries. */
  altNames?: readonly HostName[];
}

export interface Certificate {
  der: Buffer;
  pem: string;
}

/** `example.com` → dNSName, `127.0.0.1` / `::1` → iPAddress. Brackets of an IPv6 URL host are taken off. */
export function hostName(host: string): HostName {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (isIPv4(bare)) return { ip: Buffer.from(bare.split('.').map(Number)) };
  if (isIPv6(bare)) return { ip: ipv6Bytes(bare) };
  return { dns: bare.toLowerCase() };
}

export function createCertificate(spec: CertificateSpec): Certificate {
  if (spec.serial.length === 0 || spec.serial.length > 20) throw new RangeError('serial must be 1-20 bytes');
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const subjectPublicKeyInfo = spec.subjectKey.export({ type: 'spki', format: 'der' });
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    // The top bit cleared keeps the serial positive without a padding byte.
    unsignedInteger(Buffer.from([(spec.serial[0] ?? 0) & 0x7f, ...spec.serial.subarray(1)])),
    algorithm,
    name(spec.issuer),
    sequence(time(spec.notBefore), time(spec.notAfter)),
    name(spec.subject),
    subjectPublicKeyInfo,
    explicit(3, sequence(...extensions(spec, subjectPublicKeyInfo))),
  );
  const signature = sign('sha256', tbs, spec.signingKey);
  const der = sequence(tbs, algorithm, bitString(signature));
  const base64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return {
    der,
    pem: `-----BEGIN CERTIFICATE-----\n${base64.replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`,
  };
}

function extensions(spec: CertificateSpec, subjectPublicKeyInfo: Buffer): Buffer[] {
  const issuerInfo = spec.issuerKey.export({ type: 'spki', format: 'der' });
  const common = [
    extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(subjectPublicKeyInfo))),
    extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, keyIdentifier(issuerInfo)))),
  ];
  if (spec.ca) {
    return [
      extension(OID.basicConstraints, true, sequence(boolean(true), smallInteger(spec.ca.pathLength))),
      extension(OID.keyUsage, true, namedBits([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign])),
      extension(OID.nameConstraints, true, nameConstraints(spec.ca.permitted)),
      ...common,
    ];
  }
  return [
    // cA FALSE is the DEFAULT, which DER leaves out: an empty SEQUENCE.
    extension(OID.basicConstraints, true, sequence()),
    extension(OID.keyUsage, true, namedBits([KEY_USAGE.digitalSignature])),
    extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
    extension(OID.subjectAltName, false, sequence(...(spec.altNames ?? []).map(generalName))),
    ...common,
  ];
}

/**
 * permittedSubtrees = the given hosts. A name type with no subtree at all is unconstrained
 * (RFC 5280 4.2.1.10), so each type is closed off even when no host has it: with no IP host, every
 * IPv4 and IPv6 address is excluded; with no DNS host, the only permitted DNS name is under the
 * reserved `.invalid` (RFC 2606), which nothing resolves to.
 */
function nameConstraints(permitted: readonly HostName[]): Buffer {
  const dns = permitted.filter((h) => 'dns' in h);
  const ips = permitted.filter((h): h is { ip: Buffer } => 'ip' in h);
  const permittedNames: HostName[] = [...(dns.length ? dns : [{ dns: 'invalid' }])];
  const subtrees = permittedNames.map((h) => sequence(generalName(h)));
  // An iPAddress subtree is the address and its mask: all ones, one host.
  for (const { ip } of ips)
    subtrees.push(sequence(implicitPrimitive(7, Buffer.concat([ip, Buffer.alloc(ip.length, 0xff)]))));
  const parts = [implicitConstructed(0, ...subtrees)];
  if (ips.length === 0) {
    parts.push(
      implicitConstructed(
        1,
        sequence(implicitPrimitive(7, Buffer.alloc(8))),
        sequence(implicitPrimitive(7, Buffer.alloc(32))),
      ),
    );
  }
  return sequence(...parts);
}

/** GeneralName: dNSName [2] IA5String, iPAddress [7] OCTET STRING. */
function generalName(host: HostName): Buffer {
  if ('ip' in host) return implicitPrimitive(7, host.ip);
  if (!/^[\x21-\x7e]+$/.test(host.dns))
    throw new RangeError(`not an ASCII DNS name: ${JSON.stringify(host.dns)}`);
  return implicitPrimitive(2, Buffer.from(host.dns, 'ascii'));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  // critical FALSE is the DEFAULT: left out.
  return critical
    ? sequence(oid(id), boolean(true), octetString(value))
    : sequence(oid(id), octetString(value));
}

function name(dn: DistinguishedName): Buffer {
  const rdn = (type: string, value: string) => setOf(sequence(oid(type), utf8String(value)));
  return sequence(
    ...(dn.organization === undefined ? [] : [rdn(OID.organization, dn.organization)]),
    rdn(OID.commonName, dn.commonName),
  );
}

/** RFC 7093 method 1: the leftmost 160 bits of the SHA-256 of the subjectPublicKeyInfo. */
function keyIdentifier(subjectPublicKeyInfo: Buffer): Buffer {
  return createHash('sha256').update(subjectPublicKeyInfo).digest().subarray(0, 20);
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const expand = (parts: string[]) =>
    parts.flatMap((group) => {
      if (!isIPv4(group)) return [Number.parseInt(group, 16)];
      const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  const left = expand(groups(head));
  const right = tail === undefined ? [] : expand(groups(tail));
  const words = [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  const bytes = Buffer.alloc(16);
  for (const [i, word] of words.entries()) bytes.writeUInt16BE(word, i * 2);
  return bytes;
}
