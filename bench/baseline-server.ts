/**
 * The floor the daemon is compared with: a bare node:http server on a Unix socket that answers
 * every request with a fixed JSON body of about the size of a whoami answer. No peer credentials,
 * no routing, no audit, so the daemon's ratio to it is what agentid itself costs.
 */
import { createServer, type Server } from 'node:http';

const BODY = JSON.stringify({
  peer: { pid: 12345, uid: 1000, gid: 1000, exe: '/usr/local/bin/node', pidfd: true },
  agent: 'unknown',
  human: { sub: 'local:user@host', kind: 'local-user' },
  auditSeq: 1,
});

/** The daemon's default keep-alive timeout, so both servers keep connections alike. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

export function serveBaseline(socketPath: string): Promise<Server> {
  const server = createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
    res.end(BODY);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
