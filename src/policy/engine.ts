/**
 * The policy engine the daemon and the CLI share: loads the policy dir (or the default policy),
 * keeps the last good set active when a load fails, and decides requests with Cedar over the
 * pre-parsed set. Deny by default: no permit, a forbid, or no loaded set at all is a deny.
 */
import { createHash } from 'node:crypto';
import { preparsePolicySet, statefulIsAuthorized } from '@cedar-policy/cedar-wasm/nodejs';
import { sessionEvidence } from '../agents/index.js';
import { AgentIdError } from '../errors.js';
import { watchPath } from '../watch.js';
import { type AheadInput, decideAhead } from './ahead.js';
import { type CompiledSet, compilePolicies } from './compile.js';
import { DecisionMemo } from './decision-memo.js';
import { type DirContents, type FileDigest, readPolicyDir } from './dir.js';
import { type LoadedPolicy, loadPolicies } from './load.js';
import { pruneRequest } from './reads.js';
import { buildCedarRequest } from './request.js';
import { formatDiagnostic } from './source-map.js';
import type { PolicyDecision, PolicyDiagnostic, PolicyInput, PolicyStatus } from './types.js';

export interface PolicyEngineDeps {
  dir: string;
  /** Substituted into the default policy: the uid whose agents get identity tokens. */
  uid: number;
  /** Who must own the policy dir and files (root may too); default `uid`. */
  owner?: number;
  now: () => Date;
  /**
   * Where the set comes from; by default the files of `dir`. Policy from git (src/policy/git)
   * gives the repository's files instead, with the dir's added under `[policy] local = "merge"`.
   */
  source?: PolicySource;
}

/** The files a reload loads, read afresh each time. */
export interface PolicySource {
  read(): DirContents;
  /** How messages name where the set comes from: the dir, or the repository and commit. */
  describe(): string;
}

/** Every load names the files it read, with their sha256: what the daemon's audit row records. */
export type ReloadResult =
  | { ok: true; status: PolicyStatus; files: FileDigest[] }
  | { ok: false; error: AgentIdError; files: FileDigest[] };

interface ActiveSet {
  source: PolicyStatus['source'];
  files: string[];
  policies: LoadedPolicy[];
  compiled: CompiledSet;
  /** Ids of the forbid policies. */
  forbids: ReadonlySet<string>;
  loadedAt: Date;
  /** Cedar's answers for this set (decision-memo.ts); a reload starts empty. */
  answers: DecisionMemo<ReturnType<typeof statefulIsAuthorized>>;
}

/** Answers kept per policy set: enough for every route and caller of a busy daemon within a second. */
const MEMO_ANSWERS = 1024;

/** Pre-parsed sets live in wasm memory under global names: each engine gets its own. */
let engines = 0;

export class PolicyEngine {
  readonly #deps: PolicyEngineDeps;
  readonly #prefix = `agentid-policy-${++engines}`;
  #active: ActiveSet | null = null;
  #lastError: PolicyStatus['lastError'] = null;
  /** Two slots of pre-parsed sets: the active one, and the one a reload compiles into. */
  readonly #slots: [ReadonlySet<string>, ReadonlySet<string>] = [new Set(), new Set()];
  #generation = 0;
  #lastAttempt: string | null = null;

  /** The load made when the engine was built (the daemon audits it like every reload). */
  readonly firstLoad: ReloadResult;
  readonly #source: PolicySource;

  /** Loads at once; a failed first load leaves no set (every decision denies) and sets lastError. */
  constructor(deps: PolicyEngineDeps) {
    this.#deps = deps;
    this.#source = deps.source ?? {
      read: () => readPolicyDir(deps.dir, deps.uid, deps.owner ?? deps.uid),
      describe: () => deps.dir,
    };
    this.firstLoad = this.reload();
  }

  /** Loads the source again; a set that fails to load is reported and never replaces the active one. */
  reload(): ReloadResult {
    const contents = this.#source.read();
    this.#lastAttempt = fingerprint(contents);
    const { digests } = contents;
    if ('diagnostics' in contents) {
      return this.#fail(
        contents.diagnostics,
        digests,
        contents.unsafe ? 'ERR_POLICY_UNSAFE' : 'ERR_POLICY_INVALID',
      );
    }
    const loaded = loadPolicies(contents.files);
    if ('diagnostics' in loaded) return this.#fail(loaded.diagnostics, digests);
    const files = 'files' in contents ? contents.files.map((f) => f.name) : [];
    const slot = ((this.#generation + 1) % 2) as 0 | 1;
    let compiled: CompiledSet;
    try {
      compiled = compilePolicies(loaded.policies, `${this.#prefix}:${slot}:`);
    } catch (err) {
      return this.#fail(
        [{ file: this.#source.describe(), line: null, column: null, message: (err as Error).message }],
        digests,
      );
    }
    // Ids of the slot's previous set that this compile did not overwrite: free their memory.
    for (const id of this.#slots[slot])
      if (!compiled.ids.has(id)) preparsePolicySet(id, { staticPolicies: {} });
    this.#slots[slot] = compiled.ids;
    this.#generation += 1;
    this.#active = {
      source: contents.source,
      files,
      policies: loaded.policies,
      forbids: new Set(loaded.policies.filter((p) => p.effect === 'forbid').map((p) => p.id)),
      compiled,
      loadedAt: this.#deps.now(),
      answers: new DecisionMemo(MEMO_ANSWERS),
    };
    this.#lastError = null;
    return { ok: true, status: this.status(), files: digests };
  }

  /** For the watcher: reloads only when the files differ from the last attempt (editors write twice). */
  reloadIfChanged(): ReloadResult | null {
    const contents = this.#source.read();
    return fingerprint(contents) === this.#lastAttempt ? null : this.reload();
  }

  /** Watches the dir and reloads on change; `report` gets every reload's result. */
  watch(report: (result: ReloadResult) => void, debounceMs = 100): { close(): void } {
    return watchPath(this.#deps.dir, debounceMs, () => {
      const result = this.reloadIfChanged();
      if (result) report(result);
    });
  }

  /**
   * Decides for the caller's agent and, inside an exec session, for every agent the session is
   * bound by (SECURITY.md, "Nesting only narrows"): the first deny is the answer, so a process in
   * a session never gets what the session's agent, or an outer session's, may not.
   */
  decide(input: PolicyInput): PolicyDecision {
    const own = this.#decideOne(input);
    if (own.decision === 'deny' || !input.session) return own;
    for (const bound of input.session.bounds) {
      if (bound === input.agent.name) continue;
      // As the session's agent, with the strength the session holds the process with.
      const agent = { name: bound, evidence: sessionEvidence(input.session.via), matched: [] };
      const as = this.#decideOne({ ...input, agent });
      if (as.decision === 'deny') {
        return {
          ...as,
          reason: `it runs in session ${input.session.id}, bound by agent ${bound}, and for ${bound}: ${as.reason}`,
        };
      }
    }
    return own;
  }

  #decideOne(input: PolicyInput): PolicyDecision {
    const request = buildCedarRequest(input);
    const target = `${input.credential.type} on ${input.credential.entity ?? 'Credential'}::${JSON.stringify(input.credential.name)} for Agent::${JSON.stringify(input.agent.name)}`;
    if (this.#active === null) return this.#unloaded(` (${target})`);
    const bucket = this.#active.compiled.bucketFor(input.credential.type, input.agent.name);
    const call = {
      // Not validated against the schema per decision, which doubles its cost: buildCedarRequest
      // is typed to the schema, and test/policy/request.test.ts has Cedar validate what it builds.
      validateRequest: false,
      preparsedPolicySetId: bucket.setId,
      ...pruneRequest(request, bucket.reads),
    };
    const answer = this.#active.answers.answer(JSON.stringify(call), () => statefulIsAuthorized(call));
    if (answer.type === 'failure') {
      throw new AgentIdError(
        'ERR_POLICY_EVALUATION',
        `the policy request for ${target} is invalid: ${answer.errors.map((e) => e.message).join('; ')}`,
      );
    }
    const { diagnostics } = answer.response;
    const errors = diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`);
    // Cedar skips a policy that fails to evaluate. For a permit that only withholds; a forbid that
    // cannot be checked must not be waived, so it denies (fail closed).
    const failedForbids = diagnostics.errors
      .map((e) => e.policyId)
      .filter((id) => this.#active?.forbids.has(id));
    const decision = failedForbids.length > 0 ? 'deny' : answer.response.decision;
    const policyIds = [...(failedForbids.length > 0 ? failedForbids : diagnostics.reason)].sort();
    const why =
      failedForbids.length > 0
        ? `forbidden by ${policyIds.join(', ')}, which failed to evaluate and so is not waived`
        : decision === 'allow'
          ? `permitted by ${policyIds.join(', ')}`
          : policyIds.length > 0
            ? `forbidden by ${policyIds.join(', ')}`
            : `no policy permits ${target}`;
    const reason = errors.length > 0 ? `${why} (failed to evaluate: ${errors.join('; ')})` : why;
    return { decision, policyIds, reason, errors };
  }

  /**
   * Decided before the requests, with what they will carry left unknown (src/policy/ahead.ts):
   * deny only when no permit can apply or a forbid applies regardless.
   */
  decideAhead(input: AheadInput): PolicyDecision {
    if (this.#active === null) return this.#unloaded('');
    return decideAhead(this.#active.policies, input);
  }

  /** The active set's policies, in file and source order. */
  policies(): readonly LoadedPolicy[] {
    return this.#active?.policies ?? [];
  }

  status(): PolicyStatus {
    return {
      source: this.#active?.source ?? 'dir',
      dir: this.#deps.dir,
      files: this.#active?.files ?? [],
      policyCount: this.#active?.policies.length ?? 0,
      loadedAt: this.#active?.loadedAt.toISOString() ?? null,
      lastError: this.#lastError,
    };
  }

  #unloaded(target: string): PolicyDecision {
    return {
      decision: 'deny',
      policyIds: [],
      reason: `no policy set is loaded, so nothing is permitted${target}: ${this.#lastError?.message ?? ''}`,
      errors: [],
    };
  }

  #fail(
    diagnostics: PolicyDiagnostic[],
    files: FileDigest[],
    code: 'ERR_POLICY_INVALID' | 'ERR_POLICY_UNSAFE' = 'ERR_POLICY_INVALID',
  ): ReloadResult {
    const kept = this.#active
      ? `the set loaded at ${this.#active.loadedAt.toISOString()} (policies: ${this.#active.policies.length}) stays in force`
      : 'no policy set is loaded, so every credential is denied';
    const message =
      `policies in ${this.#source.describe()} not loaded (${kept}): ${diagnostics.map(formatDiagnostic).join('; ')}; ` +
      'fix them and check with `agentid policy check`';
    this.#lastError = { at: this.#deps.now().toISOString(), message, diagnostics };
    return { ok: false, error: new AgentIdError(code, message), files };
  }
}

function fingerprint(contents: DirContents): string {
  return createHash('sha256').update(JSON.stringify(contents)).digest('hex');
}
