/** liveChange: what a config.toml edit applies at once and what waits for a daemon restart. */
import { describe, expect, it } from 'vitest';
import { liveChange, parseConfig } from '../../src/config/index.js';

const config = (toml: string) => parseConfig(toml, 'config.toml');
const AWS =
  '[credentials.dev]\ntype = "aws"\nsource = "assume-role"\nrole_arn = "arn:aws:iam::123456789012:role/a"\nregion = "us-east-1"\n';

describe('liveChange', () => {
  it('applies credentials, agents, jwt, mcp and audit at once', () => {
    const change = liveChange(
      config(''),
      config(
        `${AWS}[agents.bot]\nexe = "/usr/bin/bot"\n[audit]\nretain_days = 7\n[mcp]\nhide_denied = false\n[jwt]\nissuer = "https://x.test"\n`,
      ),
    );
    expect(change.applied).toEqual(['agents', 'credentials', 'jwt', 'mcp', 'audit']);
    expect(change.restartNeeded).toEqual([]);
    expect(change.config.credentials.map((c) => c.name)).toContain('dev');
    expect(change.config.audit.retainDays).toBe(7);
  });

  it('keeps what is bound at start running, and names each changed key', () => {
    const running = config('');
    const change = liveChange(
      running,
      config(
        `${AWS}[daemon]\nmax_connections = 8\nmax_body_bytes = 2048\n[secrets]\nbackend = "file"\n[attest]\nmax_hash_bytes = 1048576\n[idp]\nissuer = "https://login.example.com"\nclient_id = "agentid"\n`,
      ),
    );
    expect(change.restartNeeded).toEqual([
      'daemon.max_connections',
      'daemon.max_body_bytes',
      'secrets.backend',
      'attest.max_hash_bytes',
      'idp',
    ]);
    expect(change.applied).toEqual(['credentials']);
    expect(change.config.daemon).toEqual(running.daemon);
    expect(change.config.secrets.backend).toBe('keychain');
    expect(change.config.idp).toBeNull();
    expect(change.config.credentials.map((c) => c.name)).toContain('dev');
  });

  it('keeps audit shipping and the policy from git as they started, applying the retention beside them', () => {
    const running = config('');
    const change = liveChange(
      running,
      config(
        '[audit]\nretain_days = 7\n[audit.ship]\nsyslog = "tcp://127.0.0.1:5514"\n[policy]\ngit = "https://git.example.com/policy.git"\n',
      ),
    );
    expect(change.restartNeeded).toEqual(['audit.ship', 'policy']);
    expect(change.applied).toEqual(['audit']);
    expect(change.config.audit).toEqual({ ...running.audit, retainDays: 7 });
    expect(change.config.policy).toEqual(running.policy);
  });

  it('an edit back to the running values needs no restart; no change applies nothing', () => {
    const running = config('[daemon]\nmax_connections = 8\n');
    expect(liveChange(running, config('[daemon]\nmax_connections = 8\n'))).toMatchObject({
      applied: [],
      restartNeeded: [],
    });
  });
});
