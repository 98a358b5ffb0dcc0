/**
 * A client of the daemon that keeps its connections, for a process that calls it again and again:
 * the MCP proxy asks for a decision and reports a result on every tools/call. A fresh connection
 * costs both sides: the client opens and checks the socket's directory (connect.ts), the daemon
 * reads the peer's credentials and pins it with a pidfd. On a kept connection the daemon still
 * attests the sender on every request (SECURITY.md, "Attest the sender"); it may reuse what it
 * learned of the process on that connection. Every connection was verified by connect.ts when it
 * was opened, and a kept one is the same kernel socket, so nothing new needs checking.
 *
 * Idle connections are unref'd (they never keep the process alive) and are used again only well
 * inside the idle time the daemon announces (`Keep-Alive: timeout=N`, half of it). A connection
 * the daemon closes while idle is dropped when its close arrives. Left is the race where the
 * daemon closes an idle connection as our request goes out: the daemon closes only connections
 * with no request in progress, so a reused connection that gives back not a single byte did not
 * have its request handled, and the request goes again on another connection (a fresh one at
 * last, whose failure is the caller's error, as with client.ts).
 */
import type { Socket } from 'node:net';
import {
  type Answer,
  DEFAULT_TIMEOUT_MS,
  decodeAnswer,
  exchange,
  type KeptConnections,
  NoAnswerError,
  noAnswer,
  type RequestOptions,
  requestText,
} from './client.js';
import { connectToDaemon, type DaemonAddress } from './connect.js';

/** More idle connections than calls that overlap (a decision and the previous call's result) are closed. */
const MAX_IDLE = 4;

interface IdleConnection {
  socket: Socket;
  /** Monotonic ms after which it is not used again. */
  reuseBefore: number;
  /** Listeners that drop it when the daemon closes it or talks out of turn while idle. */
  forget: () => void;
}

export interface KeepAliveClient extends KeptConnections {
  /** Closes the idle connections; requests in flight finish on theirs, which then close. */
  close(): void;
}

export function createKeepAliveClient(daemon: DaemonAddress, now: () => number): KeepAliveClient {
  const idle: IdleConnection[] = [];
  let closed = false;

  function take(): Socket | null {
    for (let conn = idle.pop(); conn; conn = idle.pop()) {
      conn.forget();
      if (!conn.socket.destroyed && now() < conn.reuseBefore) {
        conn.socket.ref();
        return conn.socket;
      }
      conn.socket.destroy();
    }
    return null;
  }

  function keep(socket: Socket, answer: Answer): void {
    const seconds = /\r\nkeep-alive: *timeout=(\d+)/i.exec(answer.head)?.[1];
    const reuseMs = seconds === undefined ? 0 : (Number(seconds) * 1000) / 2;
    if (closed || !answer.whole || reuseMs <= 0 || idle.length >= MAX_IDLE) {
      socket.destroy();
      return;
    }
    const drop = () => {
      const at = idle.indexOf(conn);
      if (at !== -1) idle.splice(at, 1);
      socket.destroy();
    };
    const conn: IdleConnection = {
      socket,
      reuseBefore: now() + reuseMs,
      forget: () => {
        socket.off('data', drop);
        socket.off('end', drop);
        socket.off('error', drop);
        socket.off('close', drop);
      },
    };
    socket.on('data', drop);
    socket.on('end', drop);
    socket.on('error', drop);
    socket.on('close', drop);
    socket.unref();
    idle.push(conn);
  }

  return {
    async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
      const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const text = requestText(path, options, true);
      for (;;) {
        const reused = take();
        const socket = reused ?? (await connectToDaemon(daemon, timeoutMs));
        let answer: Answer;
        try {
          answer = await exchange(socket, text, path, daemon, timeoutMs);
        } catch (err) {
          socket.destroy();
          if (!(err instanceof NoAnswerError)) throw err;
          if (reused) continue;
          throw noAnswer(err, daemon);
        }
        keep(socket, answer);
        return decodeAnswer<T>(answer);
      }
    },
    close() {
      closed = true;
      for (let conn = idle.pop(); conn; conn = idle.pop()) {
        conn.forget();
        conn.socket.destroy();
      }
    },
  };
}
