/** What `agentid setup git` runs, for each shape of --host and option. */
import { describe, expect, it } from 'vitest';
import { credentialTarget, helperCommand, setupGitPlan } from '../../cli/git-credential/setup-plan.js';
import { shellQuote } from '../../cli/setup/shell-quote.js';

const base = {
  helper: ['/home/u/.local/share/agentid/bin/git-credential-agentid'],
  scope: 'global',
  remove: false,
} as const;

describe('setup git plan', () => {
  it.each([
    ['github.com', 'https://github.com'],
    ['Git.Example.com:8443', 'https://git.example.com:8443'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['https://ghe.corp/', 'https://ghe.corp'],
  ])('%s -> %s', (host, url) => expect(credentialTarget(host).url).toBe(url));

  it.each([
    ['github.com', { url: 'https://github.com', assumedScheme: true, ignoredPath: null }],
    ['HTTP://127.0.0.1:8765', { url: 'http://127.0.0.1:8765', assumedScheme: false, ignoredPath: null }],
    [
      'http://127.0.0.1:8765/acme/app.git',
      { url: 'http://127.0.0.1:8765', assumedScheme: false, ignoredPath: '/acme/app.git' },
    ],
  ])('reads --host %s as %j', (host, target) => expect(credentialTarget(host)).toEqual(target));

  it.each(['', 'a b', 'ftp://x', 'https://h?x', '-c', 'https://'])('refuses --host %j', (host) => {
    expect(() => credentialTarget(host)).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }));
  });

  it('resets the host helper list, adds ours by absolute path, and sets useHttpPath', () => {
    expect(setupGitPlan({ ...base, host: 'github.com', credential: 'gh' })).toEqual([
      ['config', '--global', '--replace-all', 'credential.https://github.com.helper', ''],
      [
        'config',
        '--global',
        '--add',
        'credential.https://github.com.helper',
        '!/home/u/.local/share/agentid/bin/git-credential-agentid --credential gh',
      ],
      ['config', '--global', '--replace-all', 'credential.https://github.com.useHttpPath', 'true'],
    ]);
  });

  it('removes only its own keys', () => {
    expect(setupGitPlan({ ...base, host: 'github.com', scope: 'local', remove: true })).toEqual([
      ['config', '--local', '--unset-all', 'credential.https://github.com.helper'],
      ['config', '--local', '--unset-all', 'credential.https://github.com.useHttpPath'],
    ]);
  });

  it('quotes for the shell git runs helpers with', () => {
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(helperCommand({ helper: ['/usr/bin/node', '/opt/agent id/cli/main.js', 'git-credential'] })).toBe(
      "!/usr/bin/node '/opt/agent id/cli/main.js' git-credential",
    );
    expect(() => helperCommand({ ...base, credential: 'x; rm -rf /' })).toThrow(
      expect.objectContaining({ code: 'ERR_USAGE' }),
    );
  });
});
