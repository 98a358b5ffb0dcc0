/**
 * The floor of the gateway bench, run as its own minimal process
 * (`node dist/bench/baseline-forwarder.js <upstream base URL> <CA file>`): a bare node:http server
 * on loopback that passes each request on to the upstream over a keep-alive undici pool and
 * streams the answer back, as the gateway's base-URL mode does, with nothing else: no attestation,
 * no policy, no credential, no audit. What the gateway adds over it is what agentid costs; what
 * it adds over a direct request is what any forwarding process costs on this machine (one more
 * process woken twice per request). Prints its port, runs until the bench's SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Agent, type Dispatcher } from 'undici';

const [base, caFile] = process.argv.slice(2);
if (!base || !caFile) throw new Error('usage: baseline-forwarder.js <upstream base URL> <CA file>');
const upstream = new URL(base);
const agent = new Agent({ connect: { ca: [...rootCertificates, readFileSync(caFile, 'utf8')] } });
/** Headers of the client's connection, not the upstream's. */
const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding']);

const server = createServer({ noDelay: true }, (req, res) => {
  const headers: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers.push(name, req.rawHeaders[i + 1] as string);
  }
  agent
    .request({
      origin: upstream.origin,
      path: `${upstream.pathname.replace(/\/$/, '')}${req.url ?? '/'}`,
      method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
      headers,
    })
    .then(async (answer) => {
      const back: string[] = [];
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value === undefined || HOP_BY_HOP.has(name)) continue;
        for (const v of Array.isArray(value) ? value : [value]) back.push(name, v);
      }
      res.writeHead(answer.statusCode, back);
      for await (const chunk of answer.body) res.write(chunk);
      res.end();
    })
    .catch(() => res.destroy());
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
