/**
 * The client of the daemon's API, used by the CLI, both helpers and the MCP proxy: one HTTP/1.1
 * request per connection over the Unix socket, written on a bare node:net socket once
 * connect.ts has verified who listens there. node:net rather than node:http: http's client costs
 * a fresh process about 10 ms of first-request setup, most of a helper's budget over Node's own
 * start. `Connection: close`, so the answer is everything until the daemon closes; connection
 * failures become ERR_DAEMON_UNAVAILABLE and error bodies the AgentIdError the daemon sent.
 */
import { AgentIdError } from '../errors.js';
import { decode, transportError } from './answer.js';
import { connectToDaemon, type DaemonAddress } from './connect.js';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  timeoutMs?: number;
}

/** The daemon's answers are small; anything larger is not the daemon talking. */
const MAX_RESPONSE_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;

export async function callDaemon<T>(
  daemon: DaemonAddress,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const payload = options.body === undefined ? '' : JSON.stringify(options.body);
  const head =
    `${options.method ?? 'GET'} ${path} HTTP/1.1\r\nHost: agentid\r\nConnection: close\r\n` +
    `${payload ? 'Content-Type: application/json\r\n' : ''}Content-Length: ${Buffer.byteLength(payload)}\r\n\r\n`;
  const socket = await connectToDaemon(daemon, timeoutMs);
  return new Promise<T>((resolve, reject) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      socket.destroy();
      try {
        resolve(parseResponse<T>(received.toString('utf8')));
      } catch (err) {
        reject(err);
      }
    };
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new AgentIdError('ERR_DAEMON_UNAVAILABLE', `the daemon did not answer ${path} in time`)),
    );
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length > MAX_RESPONSE_BYTES) socket.destroy(new Error('the answer is larger than 1 MiB'));
      // Done as soon as the declared body is in, without waiting for the daemon's close.
      else if (complete(received)) finish();
    });
    socket.on('error', (err) => {
      settled = true;
      reject(transportError(err, daemon.socket));
    });
    socket.on('end', finish);
    // Not end(): a half-closed client can have its request dropped before it is answered.
    socket.write(head + payload);
  });
}

/** Whether the headers and as many body bytes as Content-Length declares have arrived. */
function complete(received: Buffer): boolean {
  const split = received.indexOf('\r\n\r\n');
  if (split === -1) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(received.subarray(0, split).toString('latin1'));
  return length?.[1] !== undefined && received.length - split - 4 >= Number(length[1]);
}

function parseResponse<T>(text: string): T {
  const split = text.indexOf('\r\n\r\n');
  const status = /^HTTP\/1\.[01] (\d{3}) /.exec(text);
  if (split === -1 || !status?.[1]) {
    throw new AgentIdError(
      'ERR_DAEMON_PROTOCOL',
      'the daemon closed the connection without a complete answer',
    );
  }
  if (/\r\ntransfer-encoding:/i.test(text.slice(0, split))) {
    throw new AgentIdError(
      'ERR_DAEMON_PROTOCOL',
      'the daemon answered with a chunked body, which this client does not read',
    );
  }
  return decode<T>(Number(status[1]), text.slice(split + 4));
}
