/**
 * Generates audit logs of any size, fast: the real schema (AuditWriter creates it), then every row
 * in one transaction through one prepared INSERT. With `chained` the rows carry a real hash chain
 * (for verify); without, the hashes are placeholders, which is enough to page and filter through
 * a million rows in a test. Used by bench/audit-view.ts and the TUI tests.
 */
import Database from 'better-sqlite3';
import { canonicalJson } from '../src/audit/canonical-json.js';
import { AuditWriter } from '../src/audit/index.js';
import { EVENT_COLUMNS, GENESIS_HASH, sha256Hex, toColumns, valuesOf } from '../src/audit/row.js';
import { chainHash } from '../src/audit/row-json.js';
import type { AuditRow, Decision } from '../src/audit/types.js';

export interface FixtureOptions {
  rows: number;
  chained: boolean;
  /** Time of seq 1; each later row is one second after the previous. */
  start?: string;
}

export const FIXTURE_AGENTS = ['claude', 'cursor', 'codex', 'ci-bot', 'aider'] as const;

/** Row `seq` of a generated log: a mix of agents, humans, actions and decisions. */
export function fixtureRow(seq: number, startMs: number, prevHash: string): Omit<AuditRow, 'hash'> {
  const agent = FIXTURE_AGENTS[seq % FIXTURE_AGENTS.length] ?? 'claude';
  const { attestation, digest } = attestationOf(agent, seq);
  const decision: Decision = seq % 10 === 0 ? 'deny' : seq % 97 === 0 ? 'error' : 'allow';
  const action = ['jwt', 'aws', 'git', 'identify'][seq % 4] ?? 'jwt';
  const time = new Date(startMs + (seq - 1) * 1000);
  const credential = action !== 'identify' && decision === 'allow';
  return {
    seq,
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    time: time.toISOString(),
    action,
    decision,
    agent,
    human: seq % 3 === 0 ? 'local:bob@host' : 'local:alice@host',
    resource: action === 'identify' ? null : `${action}-cred`,
    peer: { pid: 1000 + (seq % 10), uid: 1000, gid: 1000, exe: `/usr/bin/${agent}` },
    attestation,
    attestationDigest: digest,
    policyIds: decision === 'deny' ? [] : ['policy0'],
    reason: decision === 'deny' ? 'no policy permits this' : null,
    credentialFingerprint: credential ? seq.toString(16).padStart(64, '0') : null,
    expiresAt: credential ? new Date(time.getTime() + 900_000).toISOString() : null,
    errorCode: decision === 'error' ? 'ERR_PROVIDER_UNAVAILABLE' : null,
    latencyMs: (seq % 7) + 0.5,
    prevHash,
  };
}

const attestations = new Map<
  string,
  { attestation: Record<string, unknown>; digest: string; json: string }
>();

/** One of a few attestations (as real logs have: the same processes ask again and again). */
function attestationOf(agent: string, seq: number) {
  const pid = 1000 + (seq % 10);
  const key = `${agent}/${pid}`;
  let entry = attestations.get(key);
  if (!entry) {
    const attestation = {
      pid,
      exe: `/usr/bin/${agent}`,
      sha256: sha256Hex(agent),
      cwd: '/home/alice/src/app',
      // As the daemon records it (daemon/peer-event.ts): the checkout and its origin.
      repo: { root: '/home/alice/src/app', remote: 'git@github.com:acme/app.git' },
      session: null,
      ancestors: [
        { pid: 1, exe: '/sbin/init' },
        { pid: 900, exe: '/usr/bin/bash' },
      ],
    };
    const json = canonicalJson(attestation);
    entry = { attestation, digest: sha256Hex(json), json };
    attestations.set(key, entry);
  }
  return entry;
}

/**
 * fixtureRow in SQL, for one seq `x` of a recursive count: same agents, humans, actions and
 * decisions; attestation, digests and hashes are placeholders (the rows are not chained).
 */
const UNCHAINED_SQL = `
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < @rows),
r AS (
  SELECT x,
    CASE x % 5 WHEN 0 THEN 'claude' WHEN 1 THEN 'cursor' WHEN 2 THEN 'codex' WHEN 3 THEN 'ci-bot' ELSE 'aider' END AS agent,
    CASE WHEN x % 10 = 0 THEN 'deny' WHEN x % 97 = 0 THEN 'error' ELSE 'allow' END AS decision,
    CASE x % 4 WHEN 0 THEN 'jwt' WHEN 1 THEN 'aws' WHEN 2 THEN 'git' ELSE 'identify' END AS action,
    strftime('%Y-%m-%dT%H:%M:%fZ', @start + x - 1, 'unixepoch') AS time
  FROM n
)
INSERT INTO events
SELECT x, printf('00000000-0000-4000-8000-%012d', x), time, action, decision, agent,
  CASE WHEN x % 3 = 0 THEN 'local:bob@host' ELSE 'local:alice@host' END,
  CASE WHEN action = 'identify' THEN NULL ELSE action || '-cred' END,
  1000 + x % 10, 1000, 1000, '/usr/bin/' || agent,
  '{"exe":"/usr/bin/' || agent || '","pid":' || (1000 + x % 10) || '}', printf('%064x', x % 50),
  CASE WHEN decision = 'deny' THEN '[]' ELSE '["policy0"]' END,
  CASE WHEN decision = 'deny' THEN 'no policy permits this' END,
  CASE WHEN action <> 'identify' AND decision = 'allow' THEN printf('%064x', x) END,
  CASE WHEN action <> 'identify' AND decision = 'allow'
    THEN strftime('%Y-%m-%dT%H:%M:%fZ', @start + x - 1 + 900, 'unixepoch') END,
  CASE WHEN decision = 'error' THEN 'ERR_PROVIDER_UNAVAILABLE' END,
  x % 7 + 0.5, printf('%064x', x - 1), printf('%064x', x)
FROM r`;

export function generateAuditLog(path: string, options: FixtureOptions): void {
  const startMs = Date.parse(options.start ?? '2025-06-01T00:00:00.000Z');
  AuditWriter.open(path, { now: () => new Date(startMs), randomUUID: () => 'unused' }).close();
  const db = new Database(path);
  try {
    const insert = db.prepare<unknown[]>(
      `INSERT INTO events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')})`,
    );
    if (!options.chained) {
      // Native speed for the big unchained logs: SQLite makes the same rows as fixtureRow itself.
      db.prepare(UNCHAINED_SQL).run({ rows: options.rows, start: startMs / 1000 });
      return;
    }
    db.transaction(() => {
      let prevHash = GENESIS_HASH;
      for (let seq = 1; seq <= options.rows; seq++) {
        const unhashed = fixtureRow(seq, startMs, prevHash);
        const values = valuesOf(toColumns(unhashed, attestationOf(unhashed.agent, seq).json));
        prevHash = chainHash(values);
        insert.run(...values, prevHash);
      }
    })();
  } finally {
    db.close();
  }
}
