/**
 * The CA bundle an `agentid exec --http-proxy` child trusts: the system roots, any bundle the user
 * already pointed a trust variable at (a company CA keeps working), and the session CA's
 * certificate. All public: the CA's key stays in the daemon. Written by the exec wrapper into a
 * private temporary directory and removed when the session ends.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { Env } from '../src/paths.js';
import { CA_BUNDLE_VARIABLES } from './gateway-env.js';

/** Where distributions keep the system roots (Debian/Ubuntu, Fedora/RHEL, openSUSE, macOS/BSD). */
const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/ssl/cert.pem',
];

export interface CaBundle {
  path: string;
  remove(): void;
}

export function writeCaBundle(parent: Env, sessionCaPem: string): CaBundle {
  const system = SYSTEM_BUNDLES.find((path) => existsSync(path));
  const sources = [...new Set([system, ...CA_BUNDLE_VARIABLES.map((name) => parent[name])])].filter(
    (path): path is string => typeof path === 'string' && path !== '',
  );
  const parts = sources.flatMap((path) => {
    try {
      return [readFileSync(path, 'utf8').trimEnd()];
    } catch {
      // A variable pointing nowhere trusted nothing before either.
      return [];
    }
  });
  // No system bundle here: Node's own copy of the Mozilla roots.
  if (!system) parts.unshift(rootCertificates.join('\n'));
  const dir = mkdtempSync(join(tmpdir(), 'agentid-session-ca-'));
  const path = join(dir, 'ca-bundle.pem');
  writeFileSync(path, `${[...parts, `# agentid session CA\n${sessionCaPem.trimEnd()}`].join('\n')}\n`, {
    mode: 0o600,
  });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
