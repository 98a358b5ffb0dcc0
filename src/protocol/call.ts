/** One endpoint called over the socket with the regular client (client.ts). */
import { callDaemon } from './client.js';
import type { DaemonAddress } from './connect.js';
import { type CallArgs, type Endpoint, wireRequest } from './endpoint.js';

export function callEndpoint<P extends string, Req, Res>(
  daemon: DaemonAddress,
  endpoint: Endpoint<P, Req, Res>,
  args: CallArgs<P, Req>,
  options: { timeoutMs?: number } = {},
): Promise<Res> {
  const { method, path, body } = wireRequest(endpoint, args);
  return callDaemon<Res>(daemon, path, { method, body, ...options });
}
