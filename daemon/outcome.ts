/**
 * What a handler gives back to the pipeline (daemon/pipeline.ts): the audit facts of its request
 * and the answer. The pipeline writes the one audit row from the facts and only then builds and
 * sends the answer, so nothing leaves the daemon before its row is committed (invariant 4). A
 * failure carries its facts the same way, as data on the error it throws. See docs/architecture.md.
 */
import type { AuditRow, Decision } from '../src/audit/index.js';
import { AgentIdError, type ErrorCode } from '../src/errors.js';

/** What a request's audit row says beyond who asked (the pipeline knows that) and when. */
export interface AuditFacts {
  decision: Decision;
  /** Default: the handler's action. A credential route records its policy action (`jwt`, `git`). */
  action?: string;
  resource?: string | null;
  reason?: string | null;
  /** Policies that determined the decision. */
  policyIds?: readonly string[];
  /** sha256 of what identifies an issued credential (jti, access key id); never the secret. */
  credentialFingerprint?: string | null;
  expiresAt?: Date | null;
  errorCode?: ErrorCode | null;
  /** The human the row names when it is not the caller's: a login names who logged in. */
  human?: string | null;
  /** The agent the row names when it is not the caller's: a session start names its member. */
  agent?: string;
  /** When the request's cost is not its own elapsed time (mcp.result: the server's time). */
  latencyMs?: number;
}

/**
 * A handler's result. `audit: null` is for what is not a decision (status, public keys): no row.
 * `respond` runs once the row is committed; it may name the row (whoami's seq, an MCP decision's
 * event id) or do the slow part of the answer (sign it, stream it upstream).
 */
export type Outcome<A> =
  | { audit: AuditFacts | null; answer: A }
  | { audit: AuditFacts; respond: (row: AuditRow) => A | Promise<A> };

/** The facts a failure is recorded with, beyond its code and message. */
export type FailureFacts = Omit<AuditFacts, 'decision' | 'errorCode'> & { decision: 'deny' | 'error' };

/**
 * An AgentIdError that says how its request is audited: a policy deny names the policies that
 * decided it, a refusal is a deny rather than an error. Any other error is recorded as an error of
 * the handler's action.
 */
export class DecidedError extends AgentIdError {
  readonly facts: FailureFacts;

  constructor(code: ErrorCode, message: string, facts: FailureFacts) {
    super(code, message);
    this.facts = facts;
  }
}

/** The audit facts of a request that failed with `error`. */
export function failureFacts(error: AgentIdError): AuditFacts {
  const facts: FailureFacts = error instanceof DecidedError ? error.facts : { decision: 'error' };
  return { reason: error.message, ...facts, errorCode: error.code };
}
