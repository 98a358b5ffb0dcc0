/**
 * Shared fixtures for the audit tests: a temp dir per test, a clock the test controls and a
 * plausible event. Real SQLite files throughout.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { AuditDeps, AuditEventInput } from '../../src/audit/index.js';
import { AgentIdError } from '../../src/errors.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh audit.db path in its own temp dir, removed after the test. */
export function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'agentid-audit-'));
  dirs.push(dir);
  return join(dir, 'audit.db');
}

/** A clock that starts at `start` and moves one second per reading. */
export function steppingDeps(start = '2025-06-01T12:00:00.000Z'): AuditDeps & { clock: { ms: number } } {
  const clock = { ms: Date.parse(start) };
  return {
    clock,
    now: () => {
      const now = new Date(clock.ms);
      clock.ms += 1000;
      return now;
    },
    randomUUID,
  };
}

export function event(overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    action: 'jwt',
    decision: 'allow',
    agent: 'claude',
    human: 'local:alice@host',
    resource: 'api-token',
    peer: { pid: 4242, uid: 1000, gid: 1000, exe: '/usr/bin/node' },
    attestation: {
      exe: '/usr/bin/node',
      sha256: 'ab'.repeat(32),
      ancestors: [{ pid: 1, exe: '/sbin/init' }],
    },
    policyIds: ['policy0'],
    reason: null,
    credentialFingerprint: 'cd'.repeat(32),
    expiresAt: '2025-06-01T12:15:00.000Z',
    errorCode: null,
    latencyMs: 1.25,
    ...overrides,
  };
}

/** The code of the AgentIdError `fn` throws; fails the test if it throws anything else or nothing. */
export function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AgentIdError) return err.code;
    throw err;
  }
  throw new Error('expected an AgentIdError, nothing was thrown');
}
