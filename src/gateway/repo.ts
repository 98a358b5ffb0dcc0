/**
 * The repository a gateway request to a GitHub route is about (pure), so its App token is narrowed
 * to that one repository: git's smart-HTTP paths (`/owner/repo.git/info/refs`,
 * `/owner/repo.git/git-upload-pack`) and the REST API's (`/repos/owner/repo/...`). Anything else
 * is refused rather than guessed.
 */
import { AgentIdError } from '../errors.js';
import { repoFromGitPath } from '../providers/index.js';

/** `pathname` is relative to the route's path prefix. */
export function repoOfRequest(pathname: string): string {
  const segments = pathname.split('/').filter((s) => s !== '');
  const [owner, repo] = segments[0] === 'repos' ? segments.slice(1, 3) : segments.slice(0, 2);
  if (owner === undefined || repo === undefined) {
    throw new AgentIdError(
      'ERR_GIT_NO_PATH',
      `${JSON.stringify(pathname.slice(0, 200))} names no repository (owner/repo), so no token narrowed to one can be attached`,
    );
  }
  return repoFromGitPath(`${owner}/${repo}`);
}
