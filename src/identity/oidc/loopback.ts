/**
 * The RFC 8252 loopback redirect receiver of the browser flow: an HTTP listener on 127.0.0.1 and
 * an ephemeral port (never 0.0.0.0, never a fixed port another process could hold), alive for
 * one login. It hands over the first request to the callback path and answers the browser with
 * what the login made of it; anything else gets a 404.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const CALLBACK_PATH = '/callback';

export interface Callback {
  /** The full redirect URL the browser came back with (code, state or error in the query). */
  url: URL;
  respond(status: number, message: string): void;
}

export interface LoopbackReceiver {
  redirectUri: string;
  /** The first callback request. */
  callback: Promise<Callback>;
  close(): void;
}

export async function openLoopback(): Promise<LoopbackReceiver> {
  let deliver: (callback: Callback) => void = () => {};
  const callback = new Promise<Callback>((resolve) => {
    deliver = resolve;
  });
  let taken = false;
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 10_000 }, (req, res) => {
    const url = new URL(req.url ?? '/', redirectUri);
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH || taken) {
      page(res, 404, 'Not found.');
      return;
    }
    taken = true;
    deliver({ url, respond: (status, message) => page(res, status, message) });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const redirectUri = `http://127.0.0.1:${port}${CALLBACK_PATH}`;
  return {
    redirectUri,
    callback,
    close: () => {
      server.close();
      server.closeIdleConnections();
    },
  };
}

function page(res: ServerResponse, status: number, message: string): void {
  const text = message.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const body = `<!doctype html><meta charset="utf-8"><title>agentid</title><p>${text}</p>\n`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'close',
  });
  res.end(body);
}
