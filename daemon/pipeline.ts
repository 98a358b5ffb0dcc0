/**
 * One request, from whichever front door it came in by (the Unix socket, server.ts; a session's
 * AWS container endpoint, aws-container.ts; a session's HTTP gateway, gateway/): identify the peer, run the handler, write exactly
 * one audit row, then answer. A front door only produces a peer and a request and says how to
 * deliver an answer; nothing here knows HTTP. See docs/architecture.md for the picture.
 *
 * The row is committed before anything of the answer is built from it or sent (SECURITY.md invariant 4): a
 * handler returns its facts and, when the answer needs the row or is slow (sign it, stream it
 * from an upstream), a `respond` step that runs after the commit.
 */
import { AgentIdError, toAgentIdError } from '../src/errors.js';
import type { DaemonDeps } from './deps.js';
import { type Caller, identify, type Peer } from './identify.js';
import { type AuditFacts, failureFacts, type Outcome } from './outcome.js';
import { record } from './record.js';

/** What a request asks of the pipeline: its audit action, who may call it, and the work. */
export interface Handler<A> {
  /** The audit action of the request's row (a credential route's row names its policy action). */
  action: string;
  /**
   * Works without an SSO login (status, login itself, secrets): the caller's human is the local
   * OS user until someone logs in. Every other handler needs the human, and fails with
   * ERR_LOGIN_REQUIRED when `[idp]` is configured and the session is lost.
   */
  humanOptional?: boolean;
  /**
   * Manages agentid itself (secrets, keys, the daemon). Refused inside an `agentid exec`
   * session: an agent must not rewrite the material it is governed by, nor stop the daemon that
   * audits it. The human runs these from their own shell.
   */
  manages?: boolean;
  /** The resource its rows name unless its facts say otherwise (a per-session endpoint's credential). */
  resource?: string;
  handle(ctx: HandlerContext): Outcome<A> | Promise<Outcome<A>>;
}

/** The caller (uid-checked, attested, matched to an agent and a human), plus the request. */
export interface HandlerContext extends Caller {
  params: Readonly<Record<string, string>>;
  /** Parsed JSON body; undefined when the request had none. */
  body: unknown;
  /** Milliseconds since the request arrived. */
  elapsedMs: () => number;
}

/** One request as a front door hands it over. */
export interface PipelineRequest<A> {
  /** For the daemon log. */
  method: string;
  path: string;
  /** The handler, or why there is none: told only to an identified caller, so a refused peer learns nothing. */
  handler: Handler<A> | AgentIdError;
  params: Readonly<Record<string, string>>;
  /** Reads the body, bounded by the front door; only for an identified caller. */
  body(): Promise<unknown>;
}

/** How a front door delivers what the pipeline decided. */
export interface Reply<A> {
  /** The answer; a streaming answer resolves once it has been delivered. */
  send(answer: A): void | Promise<void>;
  fail(error: AgentIdError): void;
}

export async function serve<A>(
  deps: DaemonDeps,
  peer: Peer,
  request: PipelineRequest<A>,
  reply: Reply<A>,
): Promise<void> {
  const started = deps.monotonicMs();
  // Microsecond precision is all a latency needs; more digits are noise in every audit row.
  const elapsedMs = () => Math.round((deps.monotonicMs() - started) * 1000) / 1000;
  const fail = (err: unknown) => {
    const error = toAgentIdError(err);
    if (error.code === 'ERR_INTERNAL') {
      deps.log.error(`${request.method} ${request.path.slice(0, 200)}: ${error.message}`);
    }
    reply.fail(error);
  };
  const { handler } = request;
  const action = handler instanceof AgentIdError ? 'request' : handler.action;
  const resource = handler instanceof AgentIdError ? undefined : handler.resource;
  let caller: Caller;
  try {
    const identified = await identify(deps, peer, {
      needsHuman: !(handler instanceof AgentIdError) && handler.humanOptional !== true,
      manages: !(handler instanceof AgentIdError) && handler.manages === true,
    });
    if (!identified.ok) {
      const { who, error } = identified;
      const facts = { decision: 'deny', resource: resource ?? request.path.slice(0, 200) } as const;
      // Answered once its row is committed; if the log fails, its error is the answer.
      await record(
        deps,
        who,
        { action, ...facts, reason: error.message, errorCode: error.code },
        elapsedMs(),
      );
      return fail(error);
    }
    caller = identified.caller;
  } catch (err) {
    return fail(err);
  }
  // Not a decision about the caller (no such endpoint, a body that is not JSON): no row.
  let body: unknown;
  try {
    if (handler instanceof AgentIdError) throw handler;
    body = await request.body();
  } catch (err) {
    return fail(err);
  }

  let committed = false;
  try {
    const outcome = await handler.handle({ params: request.params, body, elapsedMs, ...caller });
    const commit = async (facts: AuditFacts) => {
      const row = await record(deps, caller, { action, resource, ...facts }, elapsedMs());
      committed = true;
      return row;
    };
    let answer: A;
    if ('respond' in outcome) {
      answer = await outcome.respond(await commit(outcome.audit));
    } else {
      if (outcome.audit) await commit(outcome.audit);
      answer = outcome.answer;
    }
    await reply.send(answer);
  } catch (err) {
    const error = toAgentIdError(err);
    // After the commit the request has its row; a failure to answer is only logged and told.
    if (!committed)
      await recordFailure(deps, caller, { action, resource, ...failureFacts(error) }, elapsedMs());
    fail(error);
  }
}

async function recordFailure(
  deps: DaemonDeps,
  caller: Caller,
  facts: AuditFacts & { action: string },
  latencyMs: number,
): Promise<void> {
  try {
    await record(deps, caller, facts, latencyMs);
  } catch (err) {
    // The audit log itself failed (the likely cause of the error too): answer the error anyway.
    deps.log.error(`audit row for a failed ${facts.action} not written: ${toAgentIdError(err).message}`);
  }
}
