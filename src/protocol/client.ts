/**
 * The one-shot client of the daemon's API, used by the CLI and both helpers: one HTTP/1.1
 * request per connection over the Unix socket, once connect.ts has verified who listens there.
 * `Connection: close`: a command makes a request or two and exits. (A process that calls again
 * and again, the MCP proxy, keeps its connections: keep-alive.ts, which shares the exchange
 * below.) Written on a bare node:net socket: http's client costs a fresh process about 10 ms of
 * first-request setup. An answer is complete once as many body bytes as Content-Length declares
 * are in (or, on a `Connection: close` request, at the daemon's close); the exchange never closes
 * the socket. Connection failures become ERR_DAEMON_UNAVAILABLE and error bodies the AgentIdError
 * the daemon sent. Few files on purpose: every helper start pays for each ES module it loads.
 */
import type { Socket } from 'node:net';
import { AgentIdError, isErrorCode } from '../errors.js';
import { connectToDaemon, type DaemonAddress, transportError } from './connect.js';
import { type CallArgs, type Endpoint, type Method, wireRequest } from './endpoints.js';
import type { ErrorBody } from './types.js';

/** What keeps connections for a process calling again and again (keep-alive.ts). */
export interface KeptConnections {
  request<T>(path: string, options?: RequestOptions): Promise<T>;
}

export interface RequestOptions {
  method?: Method;
  body?: unknown;
  timeoutMs?: number;
}

/** The daemon's answers are small; anything larger is not the daemon talking. */
const MAX_RESPONSE_BYTES = 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 30_000;

export function requestText(path: string, options: RequestOptions, keepAlive: boolean): string {
  const payload = options.body === undefined ? '' : JSON.stringify(options.body);
  return (
    `${options.method ?? 'GET'} ${path} HTTP/1.1\r\nHost: agentid\r\n` +
    `Connection: ${keepAlive ? 'keep-alive' : 'close'}\r\n` +
    `${payload ? 'Content-Type: application/json\r\n' : ''}Content-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`
  );
}

/** An answer read off the socket. */
export interface Answer {
  status: number;
  head: string;
  body: string;
  /** Exactly the declared body arrived, nothing after it, and the connection stays open. */
  whole: boolean;
}

/**
 * The daemon closed or reset the connection before a single byte of its answer: on a reused
 * keep-alive connection, the daemon closing it as idle just as the request went out.
 */
export class NoAnswerError extends Error {
  override readonly cause: NodeJS.ErrnoException | null;
  constructor(cause: NodeJS.ErrnoException | null) {
    super('the daemon closed the connection before answering');
    this.cause = cause;
  }
}

/** Writes `text` on `socket` and reads the answer; the caller closes or keeps the socket. */
export function exchange(
  socket: Socket,
  text: string,
  path: string,
  daemon: DaemonAddress,
  timeoutMs: number,
): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const settle = (outcome: () => Answer) => {
      if (settled) return;
      settled = true;
      socket.setTimeout(0);
      socket.off('timeout', onTimeout);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
      try {
        resolve(outcome());
      } catch (err) {
        reject(err);
      }
    };
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length > MAX_RESPONSE_BYTES) socket.destroy(new Error('the answer is larger than 1 MiB'));
      // Done as soon as the declared body is in, without waiting for the daemon's close.
      else if (declaredLength(received) !== null) settle(() => parseAnswer(received, true));
    };
    const onError = (err: NodeJS.ErrnoException) => {
      if (received.length === 0 && !(err instanceof AgentIdError)) {
        settle(() => {
          throw new NoAnswerError(err);
        });
      }
      settle(() => {
        throw transportError(err, daemon.socket);
      });
    };
    const onEnd = () =>
      settle(() => {
        if (received.length === 0) throw new NoAnswerError(null);
        return parseAnswer(received, false);
      });
    const onTimeout = () =>
      socket.destroy(new AgentIdError('ERR_DAEMON_UNAVAILABLE', `the daemon did not answer ${path} in time`));
    socket.setTimeout(timeoutMs);
    socket.on('timeout', onTimeout);
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onEnd);
    // Not end(): a half-closed client can have its request dropped before it is answered.
    socket.write(text);
  });
}

/** The body's length once the headers and as many body bytes as Content-Length declares are in. */
function declaredLength(received: Buffer): number | null {
  const split = received.indexOf('\r\n\r\n');
  if (split === -1) return null;
  const length = /\r\ncontent-length: *(\d+)/i.exec(received.subarray(0, split).toString('latin1'));
  if (length?.[1] === undefined) return null;
  return received.length - split - 4 >= Number(length[1]) ? Number(length[1]) : null;
}

function parseAnswer(received: Buffer, open: boolean): Answer {
  const text = received.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  const status = /^HTTP\/1\.[01] (\d{3}) /.exec(text);
  if (split === -1 || !status?.[1]) {
    throw new AgentIdError(
      'ERR_DAEMON_PROTOCOL',
      'the daemon closed the connection without a complete answer',
    );
  }
  const head = text.slice(0, split);
  if (/\r\ntransfer-encoding:/i.test(head)) {
    throw new AgentIdError(
      'ERR_DAEMON_PROTOCOL',
      'the daemon answered with a chunked body, which this client does not read',
    );
  }
  const body = text.slice(split + 4);
  const length = open ? declaredLength(received) : null;
  return {
    status: Number(status[1]),
    head,
    body,
    whole:
      open && length !== null && Buffer.byteLength(body) === length && !/\r\nconnection: *close/i.test(head),
  };
}

/** The answer's value: the JSON body on 2xx, else the AgentIdError it carries. */
export function decodeAnswer<T>({ status, body }: Answer): T {
  let json: unknown;
  try {
    json = body === '' ? null : JSON.parse(body);
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

/** A connection the daemon closed or reset unanswered: it is stopping, or it failed. */
export function noAnswer(err: NoAnswerError, daemon: DaemonAddress): AgentIdError {
  return err.cause
    ? transportError(err.cause, daemon.socket)
    : new AgentIdError('ERR_DAEMON_PROTOCOL', 'the daemon closed the connection without a complete answer');
}

/** One endpoint called: on a connection of its own, or on one a keep-alive client keeps. */
export function callEndpoint<P extends string, Req, Res>(
  daemon: DaemonAddress | KeptConnections,
  endpoint: Endpoint<P, Req, Res>,
  args: CallArgs<P, Req>,
  options: { timeoutMs?: number } = {},
): Promise<Res> {
  const { method, path, body } = wireRequest(endpoint, args);
  const request = { method, body, ...options };
  return 'request' in daemon ? daemon.request<Res>(path, request) : callDaemon<Res>(daemon, path, request);
}

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
