/**
 * The per-session CA of the gateway's proxy mode. Its private key is made in daemon memory and
 * never written anywhere; only its certificate goes to the session (in the CA bundle its tools
 * trust). The certificate is name-constrained (critical) to the session's route hosts, so even a
 * leaf signed with its key for any other name fails verification in every client: the CA cannot
 * vouch for a site the session has no route to. On top of that the gateway only asks it for
 * leaves of route hosts, and `leafFor` refuses any other name.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { AgentIdError } from '../errors.js';
import { type Certificate, createCertificate, hostName } from '../x509/index.js';

const HOUR_MS = 3_600_000;
/** Clients whose clock runs a little behind still accept a certificate minted this second. */
const BACKDATE_MS = HOUR_MS;
/** Beyond any session; the key dies with the session, whatever the certificate says. */
const CA_VALIDITY_MS = 365 * 24 * HOUR_MS;
const LEAF_VALIDITY_MS = 24 * HOUR_MS;
/** A cached leaf this close to its end is minted anew. */
const LEAF_RENEW_MS = HOUR_MS;

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface SessionCaOptions {
  /** Named in the CA's subject, so a user who sees it in a trust store knows where it came from. */
  sessionId: string;
  /** The route hosts (DNS names or IP addresses, no port): the only names the CA may vouch for. */
  hosts: readonly string[];
  now: () => Date;
  randomBytes: (size: number) => Buffer;
  /** Our seam for key generation: tests keep the CA key to try to sign what the daemon would not. */
  generateKey?: () => KeyPair;
}

export interface Leaf {
  host: string;
  certificatePem: string;
  /** PKCS#8 PEM; stays in the daemon (TLS termination). */
  keyPem: string;
  notAfter: Date;
}

export const p256 = (): KeyPair => generateKeyPairSync('ec', { namedCurve: 'P-256' });

export class SessionCa {
  readonly certificate: Certificate;
  readonly hosts: ReadonlySet<string>;
  readonly #key: KeyPair;
  readonly #options: SessionCaOptions;
  readonly #notAfter: Date;
  readonly #name: { organization: string; commonName: string };
  readonly #leaves = new Map<string, Leaf>();

  constructor(options: SessionCaOptions) {
    this.#options = options;
    this.hosts = new Set(options.hosts.map(normalizeHost));
    if (this.hosts.size === 0) throw new RangeError('a session CA needs at least one host');
    this.#key = (options.generateKey ?? p256)();
    const now = options.now().getTime();
    this.#notAfter = new Date(now + CA_VALIDITY_MS);
    this.#name = { organization: 'agentid', commonName: `agentid session ${options.sessionId}` };
    this.certificate = createCertificate({
      serial: options.randomBytes(16),
      issuer: this.#name,
      subject: this.#name,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: this.#notAfter,
      subjectKey: this.#key.publicKey,
      issuerKey: this.#key.publicKey,
      signingKey: this.#key.privateKey,
      // pathLen 0: it signs leaves only, never another CA.
      ca: { pathLength: 0, permitted: [...this.hosts].map(hostName) },
    });
  }

  /** The server certificate for one route host, minted on first use and kept for the session. */
  leafFor(host: string): Leaf {
    const name = normalizeHost(host);
    if (!this.hosts.has(name)) {
      throw new AgentIdError(
        'ERR_GATEWAY_CERT_REFUSED',
        `the session CA does not issue a certificate for ${JSON.stringify(name.slice(0, 255))}: it is not a host of the session's routes`,
      );
    }
    const now = this.#options.now().getTime();
    const cached = this.#leaves.get(name);
    if (cached && cached.notAfter.getTime() - now > LEAF_RENEW_MS) return cached;
    const key = p256();
    const notAfter = new Date(Math.min(now + LEAF_VALIDITY_MS, this.#notAfter.getTime()));
    const certificate = createCertificate({
      serial: this.#options.randomBytes(16),
      issuer: this.#name,
      // OpenSSL checks a DNS-like common name against the DNS constraints, so an IP leaf names
      // itself with spaces; clients match the subjectAltName in any case.
      subject: { commonName: isIP(name) ? `agentid gateway ${name}` : name },
      notBefore: new Date(now - BACKDATE_MS),
      notAfter,
      subjectKey: key.publicKey,
      issuerKey: this.#key.publicKey,
      signingKey: this.#key.privateKey,
      ca: null,
      altNames: [hostName(name)],
    });
    const leaf: Leaf = {
      host: name,
      certificatePem: certificate.pem,
      keyPem: key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      notAfter,
    };
    this.#leaves.set(name, leaf);
    return leaf;
  }
}

/** Host names compare case-insensitively; an IPv6 literal loses its URL brackets. */
export function normalizeHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}
