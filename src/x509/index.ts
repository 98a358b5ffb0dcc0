/** Public door of the X.509 encoder: certificates for the gateway's per-session CA. */
export {
  type Certificate,
  type CertificateSpec,
  createCertificate,
  type DistinguishedName,
  type HostName,
  hostName,
} from './certificate.js';
