/**
 * A TCP proxy in front of a stand-in (STS, GitHub) that can stop answering mid-test: after
 * freeze(), bytes in either direction are held and new connections are accepted and left silent,
 * which is what a hung upstream looks like to a client (no refusal, no reset, no answer).
 */
import { connect, createServer, type Socket } from 'node:net';

export interface FreezeProxy {
  url: string;
  freeze(): void;
  close(): Promise<void>;
}

export async function startFreezeProxy(upstream: string): Promise<FreezeProxy> {
  const target = new URL(upstream);
  const sockets = new Set<Socket>();
  let frozen = false;
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (frozen) return;
    const up = connect(Number(target.port), target.hostname);
    sockets.add(up);
    up.on('close', () => sockets.delete(up));
    up.on('error', () => client.destroy());
    client.on('data', (chunk) => {
      if (!frozen) up.write(chunk);
    });
    up.on('data', (chunk) => {
      if (!frozen) client.write(chunk);
    });
    client.on('end', () => up.end());
    up.on('end', () => client.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    freeze: () => {
      frozen = true;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
