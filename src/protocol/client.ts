/**
 * The one-shot client of the daemon's API, used by the CLI and both helpers: one HTTP/1.1
 * request per connection over the Unix socket (exchange.ts), once connect.ts has verified who
 * listens there. `Connection: close`: a command makes a request or two and exits. (A process that
 * calls again and again, the MCP proxy, keeps its connections: keep-alive.ts.) Connection
 * failures become ERR_DAEMON_UNAVAILABLE and error bodies the AgentIdError the daemon sent.
 */
import { AgentIdError } from '../errors.js';
import { transportError } from './answer.js';
import { connectToDaemon, type DaemonAddress } from './connect.js';
import {
  DEFAULT_TIMEOUT_MS,
  decodeAnswer,
  exchange,
  NoAnswerError,
  type RequestOptions,
  requestText,
} from './exchange.js';

export type { RequestOptions } from './exchange.js';

export async function callDaemon<T>(
  daemon: DaemonAddress,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const socket = await connectToDaemon(daemon, timeoutMs);
  try {
    return decodeAnswer<T>(
      await exchange(socket, requestText(path, options, false), path, daemon, timeoutMs),
    );
  } catch (err) {
    throw err instanceof NoAnswerError ? noAnswer(err, daemon) : err;
  } finally {
    socket.destroy();
  }
}

/** A connection the daemon closed or reset unanswered: it is stopping, or it failed. */
export function noAnswer(err: NoAnswerError, daemon: DaemonAddress): AgentIdError {
  return err.cause
    ? transportError(err.cause, daemon.socket)
    : new AgentIdError('ERR_DAEMON_PROTOCOL', 'the daemon closed the connection without a complete answer');
}
