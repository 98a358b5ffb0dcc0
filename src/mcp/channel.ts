/**
 * The two pipes of the `agentid mcp` proxy, framed by framing.ts: the MCP client's side (our own
 * stdin and stdout) and the real server's (a child process we spawn). A framing failure reaches
 * `onerror` as a FrameError; a pipe failure as the stream's own error.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { MessageReader, serialize } from './framing.js';

export interface Channel {
  start(): Promise<void>;
  send(message: JSONRPCMessage): Promise<void>;
  close(): Promise<void>;
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  /** The other end went away (not called for our own close). */
  onclose?: () => void;
}

/** How long a server gets to exit after its stdin closes, and again after SIGTERM. */
const EXIT_GRACE_MS = 2_000;

/** The client's side: messages in on `input`, out on `output`. */
export function streamChannel(input: Readable, output: Writable, maxBytes: number): Channel {
  const reader = new MessageReader(maxBytes);
  const channel: Channel = {
    async start() {
      input.on('data', onData);
      input.on('error', onError);
    },
    send: (message) => write(output, message),
    async close() {
      input.off('data', onData);
      input.off('error', onError);
      input.pause();
    },
  };
  const onData = (chunk: Buffer) => deliver(channel, reader.push(chunk));
  const onError = (error: Error) => channel.onerror?.(error);
  return channel;
}

export interface ServerCommand {
  command: string;
  args: readonly string[];
  /** The whole environment of the server. */
  env: Record<string, string>;
  maxBytes: number;
}

/** The server's side: a child process started by `start`, stopped (gently first) by `close`. */
export function serverChannel(server: ServerCommand): Channel {
  const reader = new MessageReader(server.maxBytes);
  let child: ChildProcess | null = null;
  const channel: Channel = {
    start: () =>
      new Promise<void>((resolve, reject) => {
        const started = spawn(server.command, [...server.args], {
          env: server.env,
          stdio: ['pipe', 'pipe', 'inherit'],
        });
        child = started;
        started.once('spawn', () => resolve());
        // `on`, not `once`: a later failure (a signal that cannot be sent) must not go unheard.
        started.on('error', (error) => {
          reject(error);
          channel.onerror?.(error);
        });
        started.once('close', () => {
          if (child === started) {
            child = null;
            channel.onclose?.();
          }
        });
        started.stdout?.on('data', (chunk: Buffer) => deliver(channel, reader.push(chunk)));
        started.stdout?.on('error', (error) => channel.onerror?.(error));
        started.stdin?.on('error', (error) => channel.onerror?.(error));
      }),
    async send(message) {
      if (!child?.stdin) throw new Error('the MCP server is not running');
      await write(child.stdin, message);
    },
    async close() {
      const stopping = child;
      child = null;
      if (stopping) await stop(stopping);
    },
  };
  return channel;
}

function deliver(channel: Channel, items: ReturnType<MessageReader['push']>): void {
  for (const item of items) {
    if (item instanceof Error) channel.onerror?.(item);
    else channel.onmessage?.(item);
  }
}

function write(output: Writable, message: JSONRPCMessage): Promise<void> {
  return new Promise((resolve) => {
    if (output.write(serialize(message))) resolve();
    else output.once('drain', resolve);
  });
}

/** Closes the server's stdin, then SIGTERM, then SIGKILL, each after a grace period. */
async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const grace = () =>
    Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, EXIT_GRACE_MS).unref())]);
  child.stdin?.end();
  await grace();
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await grace();
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
