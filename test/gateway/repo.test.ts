/** The repository a GitHub route's token is narrowed to, from the request path. */
import { describe, expect, it } from 'vitest';
import type { AgentIdError } from '../../src/errors.js';
import { repoOfRequest } from '../../src/gateway/repo.js';

describe('repoOfRequest', () => {
  it.each([
    ['/acme/widgets.git/info/refs', 'acme/widgets'],
    ['/acme/widgets.git/git-upload-pack', 'acme/widgets'],
    ['/acme/widgets/git-receive-pack', 'acme/widgets'],
    ['/repos/acme/widgets/issues/1', 'acme/widgets'],
    ['/repos/acme/widgets', 'acme/widgets'],
  ])('%s → %s', (path, repo) => {
    expect(repoOfRequest(path)).toBe(repo);
  });

  it.each(['/', '/acme', '/repos/acme', '/acme/../x', '/user/repos%2f'])('refuses %j', (path) => {
    let code = '';
    try {
      repoOfRequest(path);
    } catch (err) {
      code = (err as AgentIdError).code;
    }
    expect(code).toBe('ERR_GIT_NO_PATH');
  });
});
