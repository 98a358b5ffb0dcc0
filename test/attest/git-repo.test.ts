import { mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRepoLocator } from '../../src/attest/git-repo.js';
import { git, Scratch } from './helpers.js';

const remote = 'https://example.com/x.git';
const scratch = new Scratch();
afterEach(() => scratch.cleanup());

function newRepo(): string {
  const repo = realpathSync(scratch.dir());
  git(repo, 'init', '-q');
  return repo;
}

describe('git repository of a cwd', () => {
  it('walks up from a subdirectory to the repository root and reads origin', () => {
    const repo = newRepo();
    git(repo, 'remote', 'add', 'origin', remote);
    const deep = join(repo, 'a', 'b', 'c');
    mkdirSync(deep, { recursive: true });
    expect(createRepoLocator()(deep)).toEqual({ root: repo, remote });
  });

  it('gives a repository without origin a null remote', () => {
    const repo = newRepo();
    git(repo, 'remote', 'add', 'upstream', remote);
    expect(createRepoLocator()(repo)).toEqual({ root: repo, remote: null });
  });

  it('reads a linked worktree’s remote from the main repository’s config', () => {
    const repo = newRepo();
    git(repo, 'remote', 'add', 'origin', remote);
    git(
      repo,
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@example.com',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'x',
    );
    const worktree = join(realpathSync(scratch.dir()), 'wt');
    git(repo, 'worktree', 'add', '-q', worktree);
    expect(createRepoLocator()(worktree)).toEqual({ root: worktree, remote });
  });

  it('follows a `gitdir:` file without a commondir (a submodule)', () => {
    const top = realpathSync(scratch.dir());
    const gitDir = join(top, '.git', 'modules', 'sub');
    mkdirSync(gitDir, { recursive: true });
    writeFileSync(join(gitDir, 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(gitDir, 'config'), `[remote "origin"]\n\turl = ${remote}\n`);
    const sub = join(top, 'sub');
    mkdirSync(sub);
    writeFileSync(join(sub, '.git'), 'gitdir: ../.git/modules/sub\n');
    expect(createRepoLocator()(sub)).toEqual({ root: sub, remote });
  });

  it('skips a `.git` that is not a repository, as git does', () => {
    const repo = newRepo();
    const inner = join(repo, 'inner');
    mkdirSync(join(inner, '.git'), { recursive: true });
    expect(createRepoLocator()(inner)?.root).toBe(repo);
  });

  it('finds nothing outside a repository', () => {
    expect(createRepoLocator()(realpathSync(scratch.dir()))).toBeNull();
    expect(createRepoLocator()('/no/such/dir (deleted)')).toBeNull();
  });

  it('notices a changed remote and a new repository below a cached one', () => {
    const repo = newRepo();
    git(repo, 'remote', 'add', 'origin', remote);
    const sub = join(repo, 'sub');
    mkdirSync(sub);
    const locate = createRepoLocator();
    expect(locate(sub)).toEqual({ root: repo, remote });

    git(repo, 'remote', 'set-url', 'origin', 'https://example.com/y.git');
    expect(locate(sub)).toEqual({ root: repo, remote: 'https://example.com/y.git' });

    git(sub, 'init', '-q');
    expect(locate(sub)).toEqual({ root: sub, remote: null });

    rmSync(join(sub, '.git'), { recursive: true });
    expect(locate(sub)?.root).toBe(repo);
  });

  it('notices a repository created above a cwd that had none', () => {
    const dir = realpathSync(scratch.dir());
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    const locate = createRepoLocator();
    expect(locate(sub)).toBeNull();
    git(dir, 'init', '-q');
    expect(locate(sub)).toEqual({ root: dir, remote: null });
  });
});
