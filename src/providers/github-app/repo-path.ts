/**
 * The repository git asks about, from its `path` attribute (`owner/repo.git` with
 * `credential.useHttpPath`). Pure, with table tests: the token is narrowed to exactly this repo,
 * so anything that is not plainly one owner and one repository name is refused, never guessed.
 */
import { AgentIdError } from '../../errors.js';

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

/** `owner/repo` from `owner/repo.git`, `/owner/repo`, `owner/repo.git/`; throws otherwise. */
export function repoFromGitPath(path: string | undefined): string {
  if (path === undefined || path === '') {
    throw new AgentIdError(
      'ERR_GIT_NO_PATH',
      'git did not send the repository path, so the token cannot be narrowed to one repository; ' +
        'set it with: git config --global credential.useHttpPath true (agentid setup git does)',
    );
  }
  const parts = path
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .split('/');
  const [owner, repo] = parts;
  if (parts.length !== 2 || !owner || !repo || !OWNER.test(owner) || !REPO.test(repo) || /^\.+$/.test(repo)) {
    throw new AgentIdError(
      'ERR_GIT_NO_PATH',
      `git path ${JSON.stringify(path.slice(0, 200))} is not a GitHub repository (owner/repo)`,
    );
  }
  return `${owner}/${repo}`;
}
