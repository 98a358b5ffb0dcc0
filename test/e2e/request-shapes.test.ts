/**
 * The request path gives V8 no new hidden class (map) per request. Node 20's V8 makes a new map
 * every time it evaluates `{ ...a, b }` where `a` has no `b` (a spread, then a property of its
 * own): on the request path that was 14 maps a whoami, and with them megamorphic property reads
 * and garbage that outlived the young generation (docs/architecture.md, "The path of one request").
 * Counted from V8's own map log (--log-maps): the maps a daemon made while answering 400 rounds
 * of whoami and token from inside an exec session, less those of one that answered 100.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeHome, runCli, startDaemon } from './harness.js';

/** Maps V8 created in a daemon that answered `rounds` whoami and token requests, start to stop. */
async function mapsCreated(rounds: number): Promise<number> {
  const home = makeHome();
  const log = join(home.dir, 'v8-maps.log');
  const daemon = await startDaemon(home, {
    nodeArgs: ['--log-maps', `--logfile=${log}`, '--no-logfile-per-isolate'],
  });
  try {
    const client = join(home.dir, 'client.mjs');
    writeFileSync(client, clientSource(home.socket, rounds));
    const run = await runCli(home, ['exec', '--agent', 'demo', '--', process.execPath, client]);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe(`${rounds} rounds: whoami 200, token 200`);
  } finally {
    expect(await daemon.stop()).toBe(0);
  }
  try {
    return readFileSync(log, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('map-create,')).length;
  } finally {
    home.cleanup();
  }
}

/** A client on one kept connection, as an agent's SDK holds one. */
function clientSource(socketPath: string, rounds: number): string {
  return `import { Agent, request } from 'node:http';
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const call = (method, path, body) => new Promise((resolve, reject) => {
  const req = request({ socketPath: ${JSON.stringify(socketPath)}, method, path, agent,
    headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode));
  });
  req.on('error', reject);
  req.end(body);
});
const statuses = new Set();
for (let i = 0; i < ${rounds}; i++) {
  statuses.add('whoami ' + (await call('GET', '/v1/whoami')));
  statuses.add('token ' + (await call('POST', '/v1/token', JSON.stringify({ audience: 'api' }))));
}
agent.destroy();
console.log('${rounds} rounds: ' + [...statuses].join(', '));
`;
}

describe('hidden classes on the request path', () => {
  it('makes less than one new V8 map a round of whoami and token', async () => {
    const few = await mapsCreated(100);
    const many = await mapsCreated(400);
    const perRound = (many - few) / 300;
    expect(perRound, `${few} maps for 100 rounds, ${many} for 400`).toBeLessThan(1);
  }, 120_000);
});
