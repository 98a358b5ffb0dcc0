/**
 * A team's policy repository for the tests: a real bare repository (what `git http-backend` or a
 * file:// URL serves), a work tree to commit from, and real SSH signing keys made by ssh-keygen:
 * one in the allowed-signers file (trusted) and one not (untrusted). Commits are signed by git
 * itself (gpg.format=ssh), exactly as a team member's would be.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PolicyRepo {
  /** The bare repository: serve it, or fetch it as file://<bare>. */
  bare: string;
  /** The allowed-signers file naming the trusted key. */
  allowedSigners: string;
  /** Commits `files` (null deletes) under `dir` of the repository and pushes; returns the commit id. */
  commit(
    files: Record<string, string | null>,
    sign: 'trusted' | 'untrusted' | 'none',
    message?: string,
  ): string;
  /** Moves the branch on the remote to `commit` (a force push: history rewritten or rolled back). */
  forcePush(commit: string): void;
}

const isolated = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};

export function makePolicyRepo(
  root: string,
  options: { bare: string; dir?: string; branch?: string },
): PolicyRepo {
  const branch = options.branch ?? 'main';
  const keys = join(root, 'keys');
  const work = join(root, 'work');
  mkdirSync(keys, { recursive: true });
  mkdirSync(options.bare, { recursive: true });
  const keygen = (name: string, comment: string) =>
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', join(keys, name)]);
  keygen('trusted', 'alice@example.com');
  keygen('untrusted', 'mallory@example.com');
  const allowedSigners = join(keys, 'allowed_signers');
  writeFileSync(allowedSigners, `alice@example.com ${readFileSync(join(keys, 'trusted.pub'), 'utf8')}`);

  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, {
      cwd,
      env: isolated,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  git(options.bare, 'init', '--bare', '--quiet', `--initial-branch=${branch}`);
  git(root, 'init', '--quiet', `--initial-branch=${branch}`, work);
  for (const [key, value] of [
    ['user.name', 'Alice'],
    ['user.email', 'alice@example.com'],
    ['gpg.format', 'ssh'],
    ['commit.gpgsign', 'false'],
  ])
    git(work, 'config', key as string, value as string);
  git(work, 'remote', 'add', 'origin', options.bare);

  return {
    bare: options.bare,
    allowedSigners,
    commit(files, sign, message = 'policy change') {
      for (const [name, text] of Object.entries(files)) {
        const path = join(work, options.dir ?? '', name);
        if (text === null) rmSync(path, { force: true });
        else {
          mkdirSync(join(path, '..'), { recursive: true });
          writeFileSync(path, text);
        }
      }
      git(work, 'add', '--all');
      const signing = sign === 'none' ? [] : ['-c', `user.signingkey=${join(keys, sign)}`];
      git(
        work,
        ...signing,
        'commit',
        '--quiet',
        '--allow-empty',
        ...(sign === 'none' ? [] : ['-S']),
        '-m',
        message,
      );
      git(work, 'push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`);
      return git(work, 'rev-parse', 'HEAD');
    },
    forcePush(commit) {
      git(work, 'push', '--quiet', '--force', 'origin', `${commit}:refs/heads/${branch}`);
    },
  };
}
