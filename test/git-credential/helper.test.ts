/**
 * The helper's behaviour per operation and per daemon answer. The daemon call is our own seam
 * (the e2e test drives the real one): here it records what the helper asked and answers on cue.
 */
import { describe, expect, it } from 'vitest';
import { type HelperDeps, runGitCredentialHelper } from '../../cli/git-credential/helper.js';
import { AgentIdError } from '../../src/errors.js';
import type { GitCredentialRequest, GitCredentialResponse } from '../../src/protocol/types.js';

function fakeDeps(input: string, answer: GitCredentialResponse | AgentIdError) {
  const calls: GitCredentialRequest[] = [];
  let out = '';
  let err = '';
  const deps: HelperDeps = {
    readInput: async () => input,
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    requestCredential: async (request) => {
      calls.push(request);
      if (answer instanceof AgentIdError) throw answer;
      return answer;
    },
  };
  return { deps, calls, out: () => out, err: () => err };
}

const served: GitCredentialResponse = {
  served: true,
  credential: 'gh',
  username: 'x-access-token',
  password: 'tok',
  expiresAt: '2030-01-01T00:00:00.000Z',
};
const request = 'protocol=https\nhost=github.com\npath=acme/w.git\n\n';

describe('git-credential helper', () => {
  it('answers get for a served host and passes host, path and --credential', async () => {
    const f = fakeDeps(request, served);
    expect(await runGitCredentialHelper(['--credential', 'gh', 'get'], f.deps)).toBe(0);
    expect(f.calls).toEqual([
      { protocol: 'https', host: 'github.com', path: 'acme/w.git', credential: 'gh' },
    ]);
    expect(f.out()).toBe('username=x-access-token\npassword=tok\npassword_expiry_utc=1893456000\n');
  });

  it.each(['store', 'erase', 'some-future-op'])('accepts %s as a no-op: no call, no output', async (op) => {
    const f = fakeDeps(`${request}username=x\npassword=y\n`, served);
    expect(await runGitCredentialHelper([op], f.deps)).toBe(0);
    expect(f.calls).toEqual([]);
    expect(f.out()).toBe('');
  });

  it('prints nothing for a host the daemon does not serve', async () => {
    const f = fakeDeps(request, { served: false });
    expect(await runGitCredentialHelper(['get'], f.deps)).toBe(0);
    expect(f.out()).toBe('');
  });

  it.each([
    ['no host', 'protocol=https\n\n'],
    ['no protocol', 'host=github.com\n\n'],
    ['a protocol we do not serve', 'protocol=ssh\nhost=github.com\n\n'],
  ])('prints nothing and asks nothing with %s', async (_name, input) => {
    const f = fakeDeps(input, served);
    expect(await runGitCredentialHelper(['get'], f.deps)).toBe(0);
    expect(f.calls).toEqual([]);
    expect(f.out()).toBe('');
  });

  it('answers quit=1 on a deny and shows the reason on stderr', async () => {
    const f = fakeDeps(request, new AgentIdError('ERR_POLICY_DENIED', 'denied by policy: no policy permits'));
    expect(await runGitCredentialHelper(['get'], f.deps)).toBe(0);
    expect(f.out()).toBe('quit=1\n');
    expect(f.err()).toContain('denied by policy: no policy permits (ERR_POLICY_DENIED)');
  });

  it('stays silent (next helper) but explains when the daemon is unavailable', async () => {
    const f = fakeDeps(request, new AgentIdError('ERR_DAEMON_UNAVAILABLE', 'not running'));
    expect(await runGitCredentialHelper(['get'], f.deps)).toBe(0);
    expect(f.out()).toBe('');
    expect(f.err()).toContain('ERR_DAEMON_UNAVAILABLE');
  });

  it('refuses malformed input without calling the daemon', async () => {
    const f = fakeDeps('protocol=https\nnot-a-pair\n', served);
    expect(await runGitCredentialHelper(['get'], f.deps)).toBe(2);
    expect(f.calls).toEqual([]);
    expect(f.out()).toBe('');
    expect(f.err()).toContain('ERR_GIT_INPUT_INVALID');
  });

  it('refuses a credential with a line break rather than inject attributes', async () => {
    const f = fakeDeps(request, { ...served, password: 'a\nquit=1' });
    await runGitCredentialHelper(['get'], f.deps);
    expect(f.out()).toBe('');
  });

  it.each([[[]], [['--credential']], [['get', 'extra']]])('exits 2 with usage for %j', async (args) => {
    const f = fakeDeps(request, served);
    expect(await runGitCredentialHelper(args, f.deps)).toBe(2);
    expect(f.err()).toContain('usage: git-credential-agentid');
  });
});
