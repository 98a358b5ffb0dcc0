/**
 * What the team-feature e2e tests (audit shipping, policy from git) share: a credential request,
 * the audit rows as the reader sees them, `status --json`, and waiting for something to happen.
 */
import { expect } from 'vitest';
import { AuditReader, type AuditRow } from '../../src/audit/index.js';
import type { StatusResponse } from '../../src/protocol/index.js';
import { api, type Home, runCli, sleep } from './harness.js';

/** An agent identity token for `audience`; resolves to the HTTP status (200, or 403 when denied). */
export async function requestToken(home: Home, audience = 'https://api.example.com'): Promise<number> {
  const response = await api(home.socket, 'POST', '/v1/token', {
    body: JSON.stringify({ audience }),
    headers: { 'content-type': 'application/json' },
  });
  return response.status;
}

export function auditRows(home: Home): AuditRow[] {
  const reader = AuditReader.open(home.auditDb);
  try {
    return reader.query({ order: 'asc' });
  } finally {
    reader.close();
  }
}

export async function statusOf(home: Home): Promise<StatusResponse> {
  const out = await runCli(home, ['status', '--json']);
  expect(out.code).toBe(0);
  return JSON.parse(out.stdout) as StatusResponse;
}

/** Polls `probe` until it gives something other than undefined (or false), and returns it. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
