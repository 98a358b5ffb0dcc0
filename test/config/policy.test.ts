import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../src/config/index.js';

const policy = (body: string) => parseConfig(`[policy]\n${body}\n`, 'c.toml').policy;

describe('[policy]', () => {
  it('uses the policy dir alone by default', () => {
    expect(defaultConfig().policy).toEqual({ git: null, local: 'ignore' });
  });

  it('reads a git source with its defaults', () => {
    expect(policy('git = "https://git.example.com/team/policy.git"')).toEqual({
      git: {
        url: 'https://git.example.com/team/policy.git',
        ref: 'main',
        path: '',
        intervalMs: 300_000,
        allowedSigners: null,
        timeoutMs: 30_000,
      },
      local: 'ignore',
    });
  });

  it('reads every key', () => {
    const config = policy(
      [
        'git = "git@github.com:acme/policy.git"',
        'ref = "refs/tags/v3"',
        'path = "agentid/policies/"',
        'interval = "90s"',
        'allowed_signers = "/etc/agentid/allowed_signers"',
        'timeout_ms = 5000',
        'local = "merge"',
      ].join('\n'),
    );
    expect(config).toEqual({
      git: {
        url: 'git@github.com:acme/policy.git',
        ref: 'refs/tags/v3',
        path: 'agentid/policies',
        intervalMs: 90_000,
        allowedSigners: '/etc/agentid/allowed_signers',
        timeoutMs: 5000,
      },
      local: 'merge',
    });
  });

  it.each([
    ['interval = 60', 60_000],
    ['interval = "5m"', 300_000],
    ['interval = "1h"', 3_600_000],
    ['interval = "1s"', 1_000],
  ])('reads %s', (line, ms) => {
    expect(policy(`git = "file:///srv/policy.git"\n${line}`).git?.intervalMs).toBe(ms);
  });

  it.each([
    ['git = "ext::sh -c touch% /tmp/pwned"', 'git must be the URL of a repository'],
    ['git = "fd::3"', 'git must be the URL of a repository'],
    ['git = "--upload-pack=touch /tmp/x"', 'git must be the URL of a repository'],
    ['git = "/srv/policy.git"', 'git must be the URL of a repository'],
    ['git = "file:///a"\nref = "-main"', 'ref must be a branch, tag or ref name'],
    ['git = "file:///a"\nref = "a..b"', 'ref must be a branch, tag or ref name'],
    ['git = "file:///a"\nref = "main branch"', 'ref must be a branch, tag or ref name'],
    ['git = "file:///a"\npath = "../etc"', 'path must be a directory inside the repository'],
    ['git = "file:///a"\npath = "/etc"', 'path must be a directory inside the repository'],
    ['git = "file:///a"\npath = "a/../../b"', 'path must be a directory inside the repository'],
    ['git = "file:///a"\ninterval = "0s"', 'interval must be seconds'],
    ['git = "file:///a"\ninterval = "2d"', 'interval must be seconds'],
    ['git = "file:///a"\ninterval = 90000', 'interval must be seconds'],
    ['git = "file:///a"\nallowed_signers = "signers"', 'allowed_signers must be the absolute path'],
    ['git = "file:///a"\ntimeout_ms = 10', 'timeout_ms must be an integer between 1000 and 600000'],
    ['git = "file:///a"\nlocal = "replace"', 'local must be "ignore" or "merge"'],
    ['local = "merge"', 'local need git = "<repository URL>"'],
    ['ref = "main"\npath = "x"', 'ref, path need git'],
    ['gti = "file:///a"', 'unknown key "gti"'],
  ])('refuses %s', (body, message) => {
    expect(() => policy(body)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }));
    expect(() => policy(body)).toThrow(`c.toml: [policy] ${message}`);
  });
});
