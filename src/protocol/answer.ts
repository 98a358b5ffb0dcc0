/**
 * Turning what came back from the daemon socket into a value or an AgentIdError: the client's
 * decoding, and the errors of reaching the socket at all (connect.ts, client.ts).
 */
import { AgentIdError, isErrorCode } from '../errors.js';
import type { ErrorBody } from './types.js';

const unavailableCodes = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

/** A failure to reach or talk to the daemon, as the code a caller acts on. */
export function transportError(err: NodeJS.ErrnoException, socketPath: string): AgentIdError {
  if (err instanceof AgentIdError) return err;
  if (err.code && unavailableCodes.has(err.code)) {
    return new AgentIdError(
      'ERR_DAEMON_UNAVAILABLE',
      `the agentid daemon is not running at ${socketPath} (${err.code}); start it with: agentid daemon start`,
    );
  }
  return new AgentIdError('ERR_DAEMON_PROTOCOL', `request to the daemon failed: ${err.message}`);
}

/** The daemon's answer: the JSON body on 2xx, else the AgentIdError it carries. */
export function decode<T>(status: number, text: string): T {
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
