/**
 * The daemon's private clone of the team's policy repository: a bare repository under the state
 * dir, fetched with the full history of the configured ref (policy repositories are small, and
 * history is what tells a rollback from an update). Two refs of its own: `refs/agentid/fetched`
 * (what the remote last had) and `refs/agentid/applied` (the commit whose policies are in force,
 * which survives restarts). Every git call goes through runGit: bounded, prompt-free, isolated.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PolicyGitConfig } from '../../config/index.js';
import type { PolicyFile } from '../load.js';
import type { PolicyDiagnostic } from '../types.js';
import { urlSecrets } from './redact.js';
import { type GitRunDeps, type GitRunOptions, runGit } from './run.js';
import { parseLsTree, policyBlobs } from './tree.js';

const FETCHED = 'refs/agentid/fetched';
const APPLIED = 'refs/agentid/applied';

/** `%G?` of `git log`: G good and trusted, U good but not in allowed signers, N none, B bad, ... */
export interface CommitSignature {
  status: string;
  /** The allowed-signers principal (`%GS`), when trusted. */
  signer: string | null;
  /** The signing key's fingerprint (`%GK`). */
  key: string | null;
}

export class GitPolicyRepo {
  readonly #config: PolicyGitConfig;
  readonly #deps: GitRunDeps;
  readonly #repo: string;
  readonly #home: string;
  readonly #secrets: string[];

  /** `dir`: the state dir's policy-git/, private to the user. */
  constructor(config: PolicyGitConfig, dir: string, deps: GitRunDeps) {
    this.#config = config;
    this.#deps = deps;
    this.#repo = join(dir, 'repo.git');
    this.#home = join(dir, 'home');
    this.#secrets = urlSecrets(config.url);
  }

  async ensure(): Promise<void> {
    await mkdir(this.#home, { recursive: true, mode: 0o700 });
    const exists = await stat(join(this.#repo, 'HEAD')).then(
      () => true,
      () => false,
    );
    if (!exists) await runGit(this.#deps, ['init', '--bare', '--quiet', this.#repo], this.#options());
  }

  /** Fetches the configured ref and returns the commit it names. */
  async fetch(): Promise<string> {
    const { url, ref } = this.#config;
    await this.#git(['fetch', '--quiet', '--no-tags', '--no-recurse-submodules', url, `+${ref}:${FETCHED}`]);
    return this.#commitOf(FETCHED);
  }

  async applied(): Promise<string | null> {
    const { stdout, exitCode } = await this.#git(
      ['rev-parse', '--verify', '--quiet', `${APPLIED}^{commit}`],
      {
        okExits: [1],
      },
    );
    return exitCode === 0 ? stdout.toString().trim() : null;
  }

  async markApplied(commit: string): Promise<void> {
    await this.#git(['update-ref', APPLIED, commit]);
  }

  /** The commit's signature as `git verify-commit` judges it against the allowed-signers file. */
  async signature(commit: string, allowedSigners: string): Promise<CommitSignature> {
    const { stdout } = await this.#git([
      '-c',
      'gpg.format=ssh',
      '-c',
      `gpg.ssh.allowedSignersFile=${allowedSigners}`,
      'log',
      '-1',
      '--format=%G?%x00%GS%x00%GK',
      commit,
    ]);
    const [status = 'E', signer = '', key = ''] = stdout.toString().trim().split('\0');
    return { status, signer: signer || null, key: key || null };
  }

  /** Whether `ancestor` is in the history of `descendant` (and not the same commit). */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    if (ancestor === descendant) return false;
    const { exitCode } = await this.#git(['merge-base', '--is-ancestor', ancestor, descendant], {
      okExits: [1],
    });
    return exitCode === 0;
  }

  /** The policy files of the commit's policy directory, or what is wrong with them. */
  async files(commit: string): Promise<{ files: PolicyFile[] } | { diagnostics: PolicyDiagnostic[] }> {
    const { path } = this.#config;
    const where = path === '' ? 'the repository root' : `directory ${path}`;
    const tree = path === '' ? `${commit}^{tree}` : `${commit}:${path}`;
    const type = await this.#git(['cat-file', '-t', tree], { okExits: [128] });
    if (type.exitCode !== 0 || type.stdout.toString().trim() !== 'tree') {
      return {
        diagnostics: [
          { file: path || '.', line: null, column: null, message: `commit ${commit} has no ${where}` },
        ],
      };
    }
    const listing = await this.#git(['ls-tree', '-z', '-l', tree]);
    const blobs = policyBlobs(parseLsTree(listing.stdout.toString('utf8')));
    if ('diagnostics' in blobs) return blobs;
    if (blobs.blobs.length === 0) {
      return {
        diagnostics: [
          {
            file: path || '.',
            line: null,
            column: null,
            message: `no *.cedar files in ${where} at ${commit}`,
          },
        ],
      };
    }
    const files: PolicyFile[] = [];
    for (const blob of blobs.blobs) {
      const { stdout } = await this.#git(['cat-file', 'blob', blob.object]);
      files.push({ name: blob.name, text: stdout.toString('utf8') });
    }
    return { files };
  }

  async #commitOf(ref: string): Promise<string> {
    const { stdout } = await this.#git(['rev-parse', '--verify', `${ref}^{commit}`]);
    return stdout.toString().trim();
  }

  #git(args: string[], options: Partial<GitRunOptions> = {}) {
    return runGit(this.#deps, [`--git-dir=${this.#repo}`, ...args], { ...this.#options(), ...options });
  }

  #options(): GitRunOptions {
    return { home: this.#home, timeoutMs: this.#config.timeoutMs, secrets: this.#secrets };
  }
}
