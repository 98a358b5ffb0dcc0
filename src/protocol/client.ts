/**
 * Minimal client for the daemon's API: node:http with `socketPath` (no extra dependency, so the
 * git/AWS helpers stay fast to start). Connection failures become ERR_DAEMON_UNAVAILABLE; error
 * bodies become the AgentIdError the daemon sent.
 */
import { request as httpRequest } from 'node:http';
import { AgentIdError, isErrorCode } from '../errors.js';
import type { ErrorBody } from './types.js';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  timeoutMs?: number;
}

const unavailableCodes = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

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
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof AgentIdError) return reject(err);
      if (err.code && unavailableCodes.has(err.code)) {
        return reject(
          new AgentIdError(
            'ERR_DAEMON_UNAVAILABLE',
            `the agentid daemon is not running at ${socketPath} (${err.code}); start it with: agentid daemon start`,
          ),
        );
      }
      reject(new AgentIdError('ERR_DAEMON_PROTOCOL', `request to the daemon failed: ${err.message}`));
    });
    req.end(payload);
  });
}

function decode<T>(status: number, text: string): T {
  let json: unknown;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    throw new AgentIdError(
      'ERR_DAEMON_PROTOCOL',
      `the daemon answered ${status} with a body that is not JSON`,
    );
  }
  if (status >= 200 && status < 300) return json as T;
  const error = (json as Partial<ErrorBody> | null)?.error;
  if (error && isErrorCode(error.code) && typeof error.message === 'string') {
    throw new AgentIdError(error.code, error.message);
  }
  throw new AgentIdError('ERR_DAEMON_PROTOCOL', `the daemon answered ${status} without an error code`);
}
