/**
 * `agentid token` through the real daemon: the JWT verifies with jose against `agentid jwks`
 * and carries sub = human, act.sub = agent; a denied agent gets exit 3 and no token; every
 * issue is audited with the jti's fingerprint, never the token.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { cliPath, runCli, useDaemon } from './harness.js';

describe('agentid token', () => {
  const t = useDaemon(undefined, (home) => {
    mkdirSync(join(home.dir, 'policy'));
    writeFileSync(
      join(home.dir, 'policy', 'tokens.cedar'),
      [
        'permit(principal, action == Action::"jwt", resource == Credential::"identity");',
        'forbid(principal == Agent::"blocked", action, resource);',
      ].join('\n'),
    );
  });

  /** `agentid token --audience api`, asked by a process of an exec session of `agent`. */
  const tokenAs = (agent: string) =>
    runCli(t.home, ['exec', '--agent', agent, '--', 'node', cliPath, 'token', '--audience', 'api']);

  it('prints a JWT that verifies against `agentid jwks`, for the session agent and the human', async () => {
    const issued = await tokenAs('demo');
    expect(issued.stderr).toBe('');
    expect(issued.code).toBe(0);
    const token = issued.stdout.trim();
    const jwks = JSON.parse((await runCli(t.home, ['jwks'])).stdout) as JSONWebKeySet;
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: 'https://agentid.local',
      audience: 'api',
      algorithms: ['ES256'],
    });
    expect(payload.sub).toMatch(/^local:.+@.+$/);
    expect(payload.act).toEqual({ sub: 'spiffe://agentid.local/agent/demo' });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBeLessThanOrEqual(900);

    const rows = (await runCli(t.home, ['audit', '--json', '--action', 'jwt'])).stdout;
    expect(rows).not.toContain(token);
    const row = JSON.parse(rows.trim().split('\n').at(-1) ?? '{}');
    expect(row).toMatchObject({ decision: 'allow', agent: 'demo', resource: 'identity' });
    expect(row.credentialFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(row.policyIds.length).toBeGreaterThan(0);
    expect(row.expiresAt).toBe(new Date((payload.exp ?? 0) * 1000).toISOString());
  });

  it('gives a denied agent exit 3, the reason, and no token', async () => {
    const denied = await tokenAs('blocked');
    expect(denied.code).toBe(3);
    expect(denied.stdout).toBe('');
    expect(denied.stderr).toContain('ERR_POLICY_DENIED');
    const row = JSON.parse(
      (await runCli(t.home, ['audit', '--json', '--decision', 'deny', '--action', 'jwt'])).stdout
        .trim()
        .split('\n')
        .at(-1) ?? '{}',
    );
    expect(row).toMatchObject({
      agent: 'blocked',
      errorCode: 'ERR_POLICY_DENIED',
      credentialFingerprint: null,
    });
  });

  it('`exec --token AUD=VAR` hands the child a fresh token in VAR and nothing in argv', async () => {
    const out = await runCli(t.home, [
      'exec',
      '--agent',
      'demo',
      '--token',
      'api=API_TOKEN',
      '--',
      'sh',
      '-c',
      'printf %s "$API_TOKEN"',
    ]);
    expect(out.code).toBe(0);
    const jwks = JSON.parse((await runCli(t.home, ['jwks'])).stdout) as JSONWebKeySet;
    const { payload } = await jwtVerify(out.stdout, createLocalJWKSet(jwks), { audience: 'api' });
    expect(payload.act).toEqual({ sub: 'spiffe://agentid.local/agent/demo' });
  });

  it('rejects an unknown credential and a bad audience with usage errors', async () => {
    const unknown = await runCli(t.home, ['token', '--audience', 'api', '--credential', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('ERR_CREDENTIAL_UNKNOWN');
    const bad = await runCli(t.home, ['token', '--audience', 'has space']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('ERR_USAGE');
  });
});
