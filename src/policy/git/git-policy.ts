/**
 * Policy from git: the set in force is the `*.cedar` files of one commit of the team's repository,
 * plus the local policy dir's only under `[policy] local = "merge"`. A commit is taken only after
 * every check, and anything that fails leaves the last good set in force:
 *
 *   1. signed by a key of the allowed-signers file, when one is configured (SSH signatures,
 *      `git verify-commit`); unsigned: ERR_POLICY_GIT_UNSIGNED, other signers: ERR_POLICY_GIT_UNTRUSTED
 *   2. not an ancestor of the commit in force (a replayed older commit): ERR_POLICY_GIT_ROLLBACK
 *   3. a policy directory with regular `*.cedar` files: ERR_POLICY_GIT_TREE
 *   4. a set that loads and validates against the schema, with the local files if merged:
 *      ERR_POLICY_INVALID
 *
 * Until a first commit is taken (first start, offline) no set is in force: every credential is
 * denied rather than granted by whatever local files happen to exist. The commit in force is
 * remembered in the private clone and checked again at every start.
 */
import type { PolicyGitConfig } from '../../config/index.js';
import { AgentIdError, toAgentIdError } from '../../errors.js';
import type { DirContents } from '../dir.js';
import type { PolicySource, ReloadResult } from '../engine.js';
import type { PolicyFile } from '../load.js';
import { formatDiagnostic } from '../source-map.js';
import { redactUrl } from './redact.js';
import type { GitPolicyRepo } from './repo.js';

/** What `status` shows of the git source. */
export interface GitPolicyStatus {
  /** Without credentials. */
  url: string;
  ref: string;
  path: string;
  local: 'ignore' | 'merge';
  allowedSigners: string | null;
  /** The commit whose policies are in force; null: none yet, so every credential is denied. */
  commit: string | null;
  signer: string | null;
  appliedAt: string | null;
  files: string[];
  lastFetchAt: string | null;
  /** The last pull that failed or was refused (the commit in force stayed). */
  lastError: { code: string; message: string; at: string; commit: string | null } | null;
}

export type PullOutcome =
  | {
      outcome: 'applied';
      commit: string;
      previous: string | null;
      signer: string | null;
      files: string[];
    }
  | { outcome: 'unchanged'; commit: string }
  | { outcome: 'refused'; commit: string | null; error: AgentIdError };

export interface GitPolicyDeps {
  config: PolicyGitConfig;
  local: 'ignore' | 'merge';
  repo: GitPolicyRepo;
  /** The local policy dir, read afresh (merged only with local = "merge"). */
  readLocal(): DirContents;
  /** Reloads the engine from source(); the engine keeps its last good set when this fails. */
  reload(): ReloadResult;
  now(): Date;
}

/** Prefix of the file names of git policies: policy ids read `git:team.cedar:allow-claude`. */
const PREFIX = 'git:';

export class GitPolicy {
  readonly #deps: GitPolicyDeps;
  /** The files of the commit in force (or being tried); null before any. */
  #files: PolicyFile[] | null = null;
  #trying: string | null = null;
  #commit: string | null = null;
  #signer: string | null = null;
  #appliedAt: string | null = null;
  #lastFetchAt: string | null = null;
  #lastError: GitPolicyStatus['lastError'] = null;
  #pulling: Promise<PullOutcome> | null = null;

  constructor(deps: GitPolicyDeps) {
    this.#deps = deps;
  }

  /** The engine's source: the git files, and the local ones when merged. */
  source(): PolicySource {
    return {
      read: () => this.#read(),
      describe: () => {
        const commit = this.#trying ?? this.#commit;
        return `git ${redactUrl(this.#deps.config.url)} ${this.#deps.config.ref}${commit ? ` at ${commit.slice(0, 12)}` : ''}`;
      },
    };
  }

  /** At start: the commit in force before the restart, checked again. Null when there was none. */
  async restore(): Promise<PullOutcome | null> {
    try {
      await this.#deps.repo.ensure();
      const applied = await this.#deps.repo.applied();
      if (applied === null) return null;
      return await this.#consider(applied, null);
    } catch (err) {
      return this.#refused(null, toAgentIdError(err));
    }
  }

  /** Fetches and applies the ref's commit now; concurrent calls share one pull. */
  pull(): Promise<PullOutcome> {
    this.#pulling ??= this.#pull().finally(() => {
      this.#pulling = null;
    });
    return this.#pulling;
  }

  status(): GitPolicyStatus {
    const { config, local } = this.#deps;
    return {
      url: redactUrl(config.url),
      ref: config.ref,
      path: config.path,
      local,
      allowedSigners: config.allowedSigners,
      commit: this.#commit,
      signer: this.#signer,
      appliedAt: this.#appliedAt,
      files: this.#commit === null ? [] : (this.#files ?? []).map((f) => PREFIX + f.name),
      lastFetchAt: this.#lastFetchAt,
      lastError: this.#lastError,
    };
  }

  async #pull(): Promise<PullOutcome> {
    let commit: string;
    try {
      await this.#deps.repo.ensure();
      commit = await this.#deps.repo.fetch();
      this.#lastFetchAt = this.#deps.now().toISOString();
    } catch (err) {
      return this.#refused(null, toAgentIdError(err));
    }
    if (commit === this.#commit) {
      this.#lastError = null;
      return { outcome: 'unchanged', commit };
    }
    return this.#consider(commit, this.#commit);
  }

  async #consider(commit: string, inForce: string | null): Promise<PullOutcome> {
    const { repo, config } = this.#deps;
    try {
      let signer: string | null = null;
      if (config.allowedSigners !== null) signer = await this.#checkSignature(commit, config.allowedSigners);
      if (inForce !== null && (await repo.isAncestor(commit, inForce))) {
        throw new AgentIdError(
          'ERR_POLICY_GIT_ROLLBACK',
          `commit ${commit} is older than the commit in force (${inForce.slice(0, 12)}): ${config.ref} was ` +
            'moved back; the newer policies stay in force (a replayed old commit could grant what was revoked)',
        );
      }
      const tree = await repo.files(commit);
      if ('diagnostics' in tree) {
        throw new AgentIdError(
          'ERR_POLICY_GIT_TREE',
          `commit ${commit}: ${tree.diagnostics.map(formatDiagnostic).join('; ')}`,
        );
      }
      const result = this.#try(commit, tree.files);
      if (!result.ok) throw new AgentIdError('ERR_POLICY_INVALID', result.error.message);
      await repo.markApplied(commit);
      this.#commit = commit;
      this.#signer = signer;
      this.#appliedAt = this.#deps.now().toISOString();
      this.#lastError = null;
      return {
        outcome: 'applied',
        commit,
        previous: inForce,
        signer,
        files: tree.files.map((f) => PREFIX + f.name),
      };
    } catch (err) {
      return this.#refused(commit, toAgentIdError(err));
    }
  }

  /** The principal of a trusted signature, or a coded refusal. */
  async #checkSignature(commit: string, allowedSigners: string): Promise<string | null> {
    const signature = await this.#deps.repo.signature(commit, allowedSigners);
    if (signature.status === 'G') return signature.signer;
    if (signature.status === 'N') {
      throw new AgentIdError(
        'ERR_POLICY_GIT_UNSIGNED',
        `commit ${commit} is not signed, and [policy] allowed_signers requires a signature by one of ${allowedSigners}`,
      );
    }
    const key = signature.key ? ` (key ${signature.key})` : '';
    const why =
      signature.status === 'U'
        ? 'by a key not in'
        : `with a signature that does not verify (${signature.status}) against`;
    throw new AgentIdError(
      'ERR_POLICY_GIT_UNTRUSTED',
      `commit ${commit} is signed ${why} ${allowedSigners}${key}`,
    );
  }

  /** Loads the commit's files into the engine; on failure the previous files (and set) stay. */
  #try(commit: string, files: PolicyFile[]): ReloadResult {
    const previous = this.#files;
    this.#files = files;
    this.#trying = commit;
    try {
      const result = this.#deps.reload();
      if (!result.ok) this.#files = previous;
      return result;
    } finally {
      this.#trying = null;
    }
  }

  #refused(commit: string | null, error: AgentIdError): PullOutcome {
    this.#lastError = {
      code: error.code,
      message: error.message,
      at: this.#deps.now().toISOString(),
      commit,
    };
    return { outcome: 'refused', commit, error };
  }

  #read(): DirContents {
    const { config } = this.#deps;
    if (this.#files === null) {
      return {
        source: 'git',
        diagnostics: [
          {
            file: redactUrl(config.url),
            line: null,
            column: null,
            message: `no commit of ${config.ref} has been taken from the repository yet (${this.#lastError?.message ?? 'not fetched yet'})`,
          },
        ],
      };
    }
    const files = this.#files.map((f) => ({ name: PREFIX + f.name, text: f.text }));
    if (this.#deps.local === 'ignore') return { source: 'git', files };
    const local = this.#deps.readLocal();
    if ('diagnostics' in local) return { source: 'git', diagnostics: local.diagnostics };
    // A missing local dir adds nothing (its default policy is for machines without a team set).
    return { source: 'git', files: local.source === 'default' ? files : [...files, ...local.files] };
  }
}
