/**
 * The wire contract between the CLI/helpers and the daemon: HTTP/1.1 over the Unix socket,
 * JSON bodies, versioned paths. Types only, so helpers can import them for free.
 */
import type { ErrorCode } from '../errors.js';

export const API_PREFIX = '/v1';

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export interface PeerView {
  pid: number;
  uid: number;
  gid: number;
  /** Real executable of the peer (readlink /proc/PID/exe); null where it cannot be read. */
  exe: string | null;
  /** Whether the kernel gave us a pidfd (SO_PEERPIDFD) to pin the process. */
  pidfd: boolean;
}

export interface HumanView {
  sub: string;
  idp: 'local';
  user: string;
  host: string;
}

export interface WhoamiResponse {
  peer: PeerView;
  agent: string;
  human: HumanView;
  /** seq of the audit row that recorded this identification. */
  auditSeq: number;
}

export interface StatusResponse {
  version: string;
  pid: number;
  uid: number;
  startedAt: string;
  uptimeMs: number;
  socket: string;
  auditDb: string;
  connections: number;
  secrets: { backend: string; warning: string | null };
}

export interface SecretListResponse {
  names: string[];
}

export interface SecretSetRequest {
  value: string;
}
