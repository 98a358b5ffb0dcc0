/**
 * One endpoint called over the socket: on a connection of its own (client.ts), or on one a
 * keep-alive client keeps (keep-alive.ts).
 */
import { callDaemon } from './client.js';
import type { DaemonAddress } from './connect.js';
import { type CallArgs, type Endpoint, wireRequest } from './endpoint.js';
import type { KeepAliveClient } from './keep-alive.js';

export function callEndpoint<P extends string, Req, Res>(
  daemon: DaemonAddress | KeepAliveClient,
  endpoint: Endpoint<P, Req, Res>,
  args: CallArgs<P, Req>,
  options: { timeoutMs?: number } = {},
): Promise<Res> {
  const { method, path, body } = wireRequest(endpoint, args);
  const request = { method, body, ...options };
  return 'request' in daemon ? daemon.request<Res>(path, request) : callDaemon<Res>(daemon, path, request);
}
