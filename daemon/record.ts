/**
 * The one place the daemon writes audit rows: `record` for a request (called by the pipeline),
 * `recordAfterAnswer` for the HTTP gateway's `http.result` row that ends a forwarded exchange,
 * `recordDaemonEvent` for what the daemon does on its own (a policy reload that failed) and
 * `recordRefusals` for connections refused at a front door's accept, counted per interval. The
 * fields every row shares come from whoever asked, the decision from the facts. The
 * attestation is stored as a summary that identifies the process (exe, sha256, ancestry, session)
 * but leaves out command lines, which can carry secrets (`mysql -pPASSWORD`): SECURITY.md invariant 3.
 */
import type { AuditEventInput, AuditRow } from '../src/audit/index.js';
import { toAgentIdError } from '../src/errors.js';
import type { DaemonDeps } from './deps.js';
import type { Caller, Who } from './identify.js';
import type { AuditFacts } from './outcome.js';
import type { RefusalCount } from './refusal-tally.js';

type RecordDeps = { audit: Pick<DaemonDeps['audit'], 'append'> };

/** Commits the row of a request; resolves with it once it is durable. `action` is the handler's default. */
export function record(
  deps: RecordDeps,
  who: Who,
  facts: AuditFacts & { action: string },
  latencyMs: number,
): Promise<AuditRow> {
  return deps.audit.append(requestEvent(who, facts, latencyMs));
}

/**
 * The row of what happened after a request was answered (the gateway's `http.result`): nothing
 * waits on it, so it joins the next group commit rather than paying one of its own.
 */
export function recordAfterAnswer(
  deps: { audit: Pick<DaemonDeps['audit'], 'appendLater'> },
  who: Who,
  facts: AuditFacts & { action: string },
  latencyMs: number,
): Promise<AuditRow> {
  return deps.audit.appendLater(requestEvent(who, facts, latencyMs));
}

/**
 * A row with the daemon itself as the actor: no peer asked for it, so nobody waits for it and a
 * failure to write it is logged rather than thrown into the void.
 */
export function recordDaemonEvent(
  deps: RecordDeps & Pick<DaemonDeps, 'pid' | 'uid' | 'log'>,
  facts: AuditFacts & { action: string },
): Promise<void> {
  return logFailure(
    deps,
    facts.action,
    deps.audit.append({
      agent: 'daemon',
      human: null,
      // The daemon's own process; gid and exe are not needed to tell it apart.
      peer: { pid: deps.pid, uid: deps.uid, gid: -1, exe: null },
      attestation: null,
      latencyMs: facts.latencyMs ?? 0,
      ...eventFields(facts),
    }),
  );
}

function logFailure(deps: Pick<DaemonDeps, 'log'>, action: string, row: Promise<AuditRow>): Promise<void> {
  return row.then(
    () => undefined,
    (err: unknown) => deps.log.error(`audit row ${action} not written: ${toAgentIdError(err).message}`),
  );
}

/** One row for `count` connections refused at accept: the peer is known by its uid alone. */
export function recordRefusals(
  deps: RecordDeps & Pick<DaemonDeps, 'log'>,
  { refusal, count, first, last }: RefusalCount,
): Promise<void> {
  const who: Who = { peer: { pid: 0, uid: refusal.uid, gid: -1, pidfd: null }, exe: null };
  const reason =
    `refused ${count} connection${count === 1 ? '' : 's'} of uid ${refusal.uid} at accept ` +
    `(${refusal.why}) from ${first.toISOString()} to ${last.toISOString()}`;
  const facts = {
    action: refusal.action,
    decision: 'deny',
    resource: refusal.resource,
    reason,
    errorCode: refusal.errorCode,
  } as const;
  return logFailure(deps, refusal.action, record(deps, who, facts, 0));
}

function requestEvent(who: Who, facts: AuditFacts & { action: string }, latencyMs: number): AuditEventInput {
  const caller = 'attestation' in who ? who : null;
  const { peer } = who;
  return {
    agent: facts.agent ?? caller?.agent.name ?? 'unknown',
    human: facts.human !== undefined ? facts.human : (caller?.human.sub ?? null),
    peer: {
      pid: peer.pid,
      uid: peer.uid,
      gid: peer.gid,
      exe: caller ? caller.attestation.exe : 'exe' in who ? who.exe : null,
    },
    attestation: caller ? attestationSummary(caller) : null,
    latencyMs: facts.latencyMs ?? latencyMs,
    ...eventFields(facts),
  };
}

function eventFields(facts: AuditFacts & { action: string }) {
  return {
    action: facts.action,
    decision: facts.decision,
    resource: facts.resource ?? null,
    policyIds: [...(facts.policyIds ?? [])],
    reason: facts.reason ?? null,
    credentialFingerprint: facts.credentialFingerprint ?? null,
    expiresAt: facts.expiresAt?.toISOString() ?? null,
    errorCode: facts.errorCode ?? null,
  };
}

function attestationSummary({ attestation: a, agent, session }: Caller): Record<string, unknown> {
  return {
    pid: a.pid,
    startTime: a.startTime,
    uid: a.uid,
    gid: a.gid,
    exe: a.exe,
    sha256: a.sha256,
    cwd: a.cwd,
    repo: a.repo,
    script: a.script?.path ?? null,
    ancestors: a.ancestors.map((hop) => ({ pid: hop.pid, exe: hop.exe })),
    pinnedBy: a.pinnedBy,
    connection: a.connection,
    exeFile: a.exeFile,
    session: session?.id ?? null,
    sessionVia: session?.membership ?? null,
    agentEvidence: agent.evidence,
    matched: agent.matched,
  };
}
