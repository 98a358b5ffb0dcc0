/**
 * The floor the daemon is compared with, run as its own minimal process
 * (`node dist/bench/baseline-server.js <socket>`): a bare node:http server on a Unix socket that
 * answers every request with a fixed JSON body of about the size of a whoami answer. It imports
 * node:http and nothing else, so its RSS is Node's own plus the server's; no peer credentials, no
 * routing, no audit, so the daemon's ratio to it is what agentid itself costs. It runs until the
 * bench's SIGTERM, whose default action is the clean exit it needs.
 */
import { createServer } from 'node:http';

const BODY = JSON.stringify({
  peer: { pid: 12345, uid: 1000, gid: 1000, exe: '/usr/local/bin/node', pidfd: true },
  agent: 'unknown',
  human: { sub: 'local:user@host', kind: 'local-user' },
  auditSeq: 1,
});

/** The daemon's default keep-alive timeout, so both servers keep connections alike. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

const socketPath = process.argv[2];
if (!socketPath) throw new Error('usage: baseline-server.js <socket>');
createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
  res.end(BODY);
}).listen(socketPath);
