/**
 * A throwaway CA of the tests' own and a server certificate signed by it, made with the openssl
 * CLI (independent of agentid's own X.509 code), for HTTPS upstreams that only a client told to
 * trust this CA accepts, the way an internal API behind a company CA is.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  /** PEM of the CA certificate, and where it is on disk (for ca_file and the clients). */
  caPem: string;
  caFile: string;
  /** The server's certificate and key (PEM), valid for `names`. */
  cert: string;
  key: string;
  dir: string;
}

function openssl(args: string[], cwd: string): void {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
}

/** `names`: DNS names and IP addresses the server certificate is for. */
export function makeTestCa(names: string[] = ['localhost', '127.0.0.1', '127.0.0.2']): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'agentid-test-ca-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=agentid test upstream CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${names[0]}`], dir);
  const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  writeFileSync(
    join(dir, 'ext.cnf'),
    `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\n`,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      'server.pem',
      '-extfile',
      'ext.cnf',
    ],
    dir,
  );
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return {
    caPem: read('ca.pem'),
    caFile: join(dir, 'ca.pem'),
    cert: read('server.pem'),
    key: read('server.key'),
    dir,
  };
}
