/**
 * The wire contract between the CLI/helpers and the daemon: HTTP/1.1 over the Unix socket,
 * JSON bodies, versioned paths. Types only, so helpers can import them for free.
 */
import type { AgentMatch } from '../agents/index.js';
import type { Attestation } from '../attest/types.js';
import type { ErrorCode } from '../errors.js';

export const API_PREFIX = '/v1';

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export interface HumanView {
  sub: string;
  idp: 'local';
  user: string;
  host: string;
}

export interface SessionView {
  id: string;
  agent: string | null;
  human: HumanView;
  rootPid: number;
  rootStartTime: number;
  startedAt: string;
}

/** What the daemon makes of a process: `whoami` for the caller, `attest` for another pid. */
export interface IdentityView {
  attestation: Attestation;
  /** The agent it matched, and why. */
  agent: AgentMatch;
  session: SessionView | null;
  human: HumanView;
}

export interface WhoamiResponse extends IdentityView {
  /** Whether the kernel gave a pidfd (SO_PEERPIDFD) that pins the process against pid reuse. */
  pidfd: boolean;
  /** seq of the audit row that recorded this identification. */
  auditSeq: number;
}

export interface SessionStartRequest {
  /** Agent name to declare for the session (`agentid exec --agent`). */
  agent?: string | null;
  /** Allow a session inside another session. */
  nest?: boolean;
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
