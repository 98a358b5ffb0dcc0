/**
 * Minimal client for the daemon's API: node:http with `socketPath` (no extra dependency, so the
 * git/AWS helpers stay fast to start). Connection failures become ERR_DAEMON_UNAVAILABLE; error
 * bodies become the AgentIdError the daemon sent.
 */
import { request as httpRequest } from 'node:http';
import { AgentIdError } from '../errors.js';
import { decode, transportError } from './answer.js';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  timeoutMs?: number;
}

export function callDaemon<T>(socketPath: string, path: string, options: RequestOptions = {}): Promise<T> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise<T>((resolve, reject) => {
    const req = httpRequest(
      {
        socketPath,
        path,
        method: options.method ?? 'GET',
        headers: payload
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
          : {},
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          try {
            resolve(decode<T>(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(new AgentIdError('ERR_DAEMON_UNAVAILABLE', `the daemon did not answer ${path} in time`)),
    );
    req.on('error', (err: NodeJS.ErrnoException) => reject(transportError(err, socketPath)));
    req.end(payload);
  });
}
