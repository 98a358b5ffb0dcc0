/**
 * Attacking clients, as node scripts run in their own processes: a request from another uid, a
 * connection handed to a forked child after its connecting process left, and a caller that made
 * itself non-dumpable. Shared by the e2e security tests and the hardening suite.
 */
import { type SpawnOptions, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { collect, type Result } from './harness.js';

/** A GET over the socket that prints `{status, body, pid}` as JSON; `before` runs first. */
export function requestScript(socket: string, path: string, before = ''): string {
  return `${before}
require('node:http').get({ socketPath: ${JSON.stringify(socket)}, path: ${JSON.stringify(path)} }, (res) => {
  let body = ''; res.on('data', (c) => body += c);
  res.on('end', () => console.log(JSON.stringify({ status: res.statusCode, body: JSON.parse(body), pid: process.pid })));
});`;
}

// Runs in the grandchild: waits until the connecting process is gone, then sends (the rest of)
// the request over the inherited connection (fd 3) and prints the daemon's answer.
const handedOverScript = `
const net = require('node:net');
const [parent, rest] = [Number(process.argv[1]), process.argv[2]];
const send = () => {
  const conn = new net.Socket({ fd: 3, readable: true, writable: true });
  let answer = '';
  conn.on('data', (c) => { answer += c; });
  conn.on('end', () => { process.stdout.write(answer); process.exit(0); });
  conn.write(rest + 'Host: x\\r\\nConnection: close\\r\\n\\r\\n');
};
const wait = () => { try { process.kill(parent, 0); setTimeout(wait, 5); } catch { send(); } };
wait();
`;

/** The connecting process: connects, writes `first`, hands the socket to a forked child, exits. */
export function forkedPeerScript(socket: string, first: string, rest: string): string {
  return `
const net = require('node:net');
const { spawn } = require('node:child_process');
const conn = net.connect(${JSON.stringify(socket)}, () => {
  conn.write(${JSON.stringify(first)});
  spawn(process.execPath, ['-e', ${JSON.stringify(handedOverScript)}, String(process.pid), ${JSON.stringify(rest)}],
    { stdio: ['ignore', 'inherit', 'inherit', conn] }).unref();
  process.exit(0);
});
`;
}

/**
 * prctl(PR_SET_DUMPABLE, 0) through koffi: after it, only CAP_SYS_PTRACE may read our /proc entry.
 * `root` holds node_modules/koffi (this clone, or a copy another uid can read: test/other-uid.ts).
 */
export function nonDumpablePrelude(root = resolve('.')): string {
  return `
const koffi = require(${JSON.stringify(join(root, 'node_modules', 'koffi'))});
const prctl = koffi.load('libc.so.6').func('int prctl(int, unsigned long, unsigned long, unsigned long, unsigned long)');
if (prctl(4 /* PR_SET_DUMPABLE */, 0, 0, 0, 0) !== 0) throw new Error('prctl failed');
`;
}

/** A script run by node; as another uid from `/`, so where this clone lives does not matter. */
export function runScript(script: string, options: SpawnOptions = {}): Promise<Result> {
  const cwd = options.uid === undefined ? {} : { cwd: '/' };
  return collect(
    spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'pipe'], ...cwd, ...options }),
  );
}
