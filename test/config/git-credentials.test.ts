/** `[credentials.*]` of type github-app and static: defaults, and errors naming file, table and key. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { repoFromGitPath } from '../../src/providers/github-app/repo-path.js';

const parse = (toml: string) => parseConfig(toml, '/cfg/config.toml').credentials;

describe('github-app and static credentials', () => {
  it('fills github-app defaults', () => {
    expect(parse('[credentials.gh]\ntype = "github-app"\napp_id = 42\nprivate_key = "gh-key"\n')[0]).toEqual({
      name: 'gh',
      type: 'github-app',
      appId: '42',
      installationId: null,
      privateKey: 'gh-key',
      permissions: { contents: 'read' },
      apiUrl: 'https://api.github.com',
      hosts: ['github.com'],
      timeoutMs: 10_000,
    });
  });

  it('reads a static git password', () => {
    expect(
      parse(
        '[credentials.pw]\ntype = "static"\nsecret = "s"\nhost = "Git.Example.com:8443"\nusername = "bot"\n',
      )[0],
    ).toEqual({ name: 'pw', type: 'static', secret: 's', host: 'git.example.com:8443', username: 'bot' });
  });

  it.each([
    ['[credentials.gh]\ntype = "github-app"\nprivate_key = "k"', '[credentials.gh] app_id is required'],
    ['[credentials.gh]\ntype = "github-app"\napp_id = 1', '[credentials.gh] private_key is required'],
    [
      '[credentials.gh]\ntype = "github-app"\napp_id = 1\nprivate_key = "k"\nscope = 1',
      'unknown key "scope"',
    ],
    [
      '[credentials.gh]\ntype = "github-app"\napp_id = 1\nprivate_key = "k"\npermissions = { contents = "all" }',
      'permissions: contents must be',
    ],
    [
      '[credentials.gh]\ntype = "github-app"\napp_id = 1\nprivate_key = "k"\napi_url = "ftp://x"',
      'api_url must be an http(s) URL',
    ],
    [
      '[credentials.gh]\ntype = "github-app"\napp_id = 1\nprivate_key = "-bad"',
      'private_key: invalid secret name',
    ],
    ['[credentials.pw]\ntype = "static"\nhost = "h"\nusername = "u"', '[credentials.pw] secret is required'],
    ['[credentials.pw]\ntype = "static"\nsecret = "s"\nhost = "h"', 'username is required with host'],
    [
      '[credentials.pw]\ntype = "static"\nsecret = "s"\nhost = "not a host"\nusername = "u"',
      'host must be a host name',
    ],
    [
      '[credentials.a]\ntype = "static"\nsecret = "s"\nhost = "github.com"\nusername = "u"\n' +
        '[credentials.b]\ntype = "github-app"\napp_id = 1\nprivate_key = "k"',
      'git host github.com is claimed by both [credentials.a] and [credentials.b]',
    ],
  ])('rejects %j', (toml, message) => {
    expect(() => parse(toml)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }));
    expect(() => parse(toml)).toThrow(message);
    expect(() => parse(toml)).toThrow('/cfg/config.toml');
  });
});

describe('repoFromGitPath', () => {
  it.each([
    ['acme/widgets.git', 'acme/widgets'],
    ['/acme/widgets', 'acme/widgets'],
    ['acme/widgets.git/', 'acme/widgets'],
    ['a-b/c.d_e', 'a-b/c.d_e'],
  ])('%s -> %s', (path, repo) => expect(repoFromGitPath(path)).toBe(repo));

  it.each([undefined, '', 'acme', 'acme/widgets/extra', '../x', 'acme/..', 'ac me/x', '-acme/x'])(
    'refuses %j with ERR_GIT_NO_PATH',
    (path) =>
      expect(() => repoFromGitPath(path)).toThrow(expect.objectContaining({ code: 'ERR_GIT_NO_PATH' })),
  );
});
