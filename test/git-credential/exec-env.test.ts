import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { gitHelperEnv } from '../../cli/git-credential/exec-env.js';

const base = { credential: 'gh', node: '/usr/bin/node', script: '/opt/agentid/dist/cli/main.js' };

describe('gitHelperEnv', () => {
  it('resets and sets the helper and useHttpPath for each host, https only off loopback', () => {
    expect(gitHelperEnv({}, { ...base, hosts: ['github.com'] })).toEqual({
      GIT_CONFIG_COUNT: '3',
      GIT_CONFIG_KEY_0: 'credential.https://github.com.helper',
      GIT_CONFIG_VALUE_0: '',
      GIT_CONFIG_KEY_1: 'credential.https://github.com.helper',
      GIT_CONFIG_VALUE_1: '!/usr/bin/node /opt/agentid/dist/cli/main.js git-credential --credential gh',
      GIT_CONFIG_KEY_2: 'credential.https://github.com.useHttpPath',
      GIT_CONFIG_VALUE_2: 'true',
    });
  });

  it('adds http for loopback hosts and appends after entries the parent already passes', () => {
    const env = gitHelperEnv({ GIT_CONFIG_COUNT: '2' }, { ...base, hosts: ['127.0.0.1:8080'] });
    expect(env.GIT_CONFIG_COUNT).toBe('8');
    expect(env.GIT_CONFIG_KEY_2).toBe('credential.https://127.0.0.1:8080.helper');
    expect(env.GIT_CONFIG_KEY_5).toBe('credential.http://127.0.0.1:8080.helper');
    expect(env).not.toHaveProperty('GIT_CONFIG_KEY_0');
  });

  it('is read by the real git as configuration', () => {
    const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
    Object.assign(env, gitHelperEnv({}, { ...base, hosts: ['git.example.com'] }));
    const out = execFileSync('git', ['config', '--get-all', 'credential.https://git.example.com.helper'], {
      env,
      encoding: 'utf8',
    });
    expect(out.split('\n')).toEqual([
      '',
      '!/usr/bin/node /opt/agentid/dist/cli/main.js git-credential --credential gh',
      '',
    ]);
  });
});
