/**
 * Group commit (src/audit/group-commit.ts) on real SQLite files: rows appended together share one
 * transaction, none is handed back before it is committed, a failed batch leaves nothing and
 * breaks no link, one bad event fails alone, and a SIGKILL in the middle of a stream of batches
 * loses no row that was handed back (the daemon answers only after that point).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  type AuditEventInput,
  AuditReader,
  type AuditRow,
  AuditWriter,
  createGroupCommit,
} from '../../src/audit/index.js';
import { AgentIdError } from '../../src/errors.js';
import { event, steppingDeps, tempDbPath } from './helpers.js';

/**
 * A writer whose batches are counted, flushed by setImmediate as the daemon does; rows appended
 * for later wait for `laterFlushes` to be called (the daemon's timer, run by hand here).
 */
function counted(path: string) {
  const writer = AuditWriter.open(path, steppingDeps());
  const batches: number[] = [];
  const laterFlushes: (() => void)[] = [];
  const commit = createGroupCommit(
    {
      appendBatch(inputs: readonly AuditEventInput[]) {
        batches.push(inputs.length);
        return writer.appendBatch(inputs);
      },
    },
    (flush) => setImmediate(flush),
    (flush) => laterFlushes.push(flush),
  );
  return { writer, batches, commit, laterFlushes };
}

function verified(path: string) {
  const reader = AuditReader.open(path);
  try {
    return reader.verify();
  } finally {
    reader.close();
  }
}

function committedSeqs(path: string): number[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT seq FROM events ORDER BY seq').pluck().all() as number[];
  } finally {
    db.close();
  }
}

describe('group commit', () => {
  it('puts the rows of appends made together in one transaction, in order, chained', async () => {
    const path = tempDbPath();
    const { writer, batches, commit } = counted(path);
    const first = await Promise.all(
      Array.from({ length: 20 }, (_, i) => commit.append(event({ latencyMs: i }))),
    );
    const second = await Promise.all(Array.from({ length: 5 }, () => commit.append(event())));
    writer.close();

    expect(batches).toEqual([20, 5]);
    const rows = [...first, ...second];
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(first.map((r) => r.latencyMs)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    for (let i = 1; i < rows.length; i++) expect(rows[i]?.prevHash).toBe(rows[i - 1]?.hash);
    expect(verified(path)).toEqual({ ok: true, rows: 25, lastSeq: 25 });
  });

  it('hands back no row before another connection can read it committed', async () => {
    const path = tempDbPath();
    const { writer, commit } = counted(path);
    const seenWhenHandedBack: boolean[] = [];
    await Promise.all(
      Array.from({ length: 10 }, () =>
        commit.append(event()).then((row) => {
          seenWhenHandedBack.push(committedSeqs(path).includes(row.seq));
        }),
      ),
    );
    writer.close();
    expect(seenWhenHandedBack).toEqual(Array(10).fill(true));
  });

  it('commits a row appended for later with the next group, in order, or when its timer fires', async () => {
    const path = tempDbPath();
    const { writer, batches, commit, laterFlushes } = counted(path);
    let resultCommitted = false;
    const result = commit.appendLater(event({ action: 'http.result' })).then((row) => {
      resultCommitted = true;
      return row;
    });
    await new Promise((resolve) => setImmediate(resolve));
    // Nothing waits on it: no transaction of its own yet.
    expect(resultCommitted).toBe(false);
    expect(batches).toEqual([]);
    const decision = await commit.append(event({ action: 'http' }));
    const joined = await result;
    expect(batches).toEqual([2]);
    expect([joined.seq, decision.seq]).toEqual([1, 2]);
    expect(joined.action).toBe('http.result');

    // With no group to join, the timer commits it; a stale timer finds nothing to do.
    const alone = commit.appendLater(event({ action: 'http.result' }));
    expect(laterFlushes).toHaveLength(2);
    laterFlushes.at(-1)?.();
    expect((await alone).seq).toBe(3);
    laterFlushes[0]?.();
    expect(batches).toEqual([2, 1]);

    // At shutdown, flush commits what waits.
    const last = commit.appendLater(event());
    commit.flush();
    expect((await last).seq).toBe(4);
    writer.close();
    expect(committedSeqs(path)).toEqual([1, 2, 3, 4]);
    expect(verified(path)).toEqual({ ok: true, rows: 4, lastSeq: 4 });
  });

  it('fails every row of a batch the log refuses, keeps none, and chains the next batch to the last committed row', async () => {
    const path = tempDbPath();
    const { writer, commit } = counted(path);
    await Promise.all([commit.append(event()), commit.append(event())]);

    // A foreign writer holds the write lock: the batch fails after the busy timeout.
    const foreign = new Database(path);
    foreign.exec('BEGIN IMMEDIATE');
    const refused = await Promise.allSettled(Array.from({ length: 3 }, () => commit.append(event())));
    foreign.exec('ROLLBACK');
    foreign.close();
    expect(refused.map((r) => (r.status === 'rejected' ? (r.reason as AgentIdError).code : 'kept'))).toEqual(
      Array(3).fill('ERR_AUDIT_WRITE'),
    );
    expect(committedSeqs(path)).toEqual([1, 2]);

    const after = await Promise.all([commit.append(event()), commit.append(event())]);
    writer.close();
    expect(after.map((r) => r.seq)).toEqual([3, 4]);
    expect(verified(path)).toEqual({ ok: true, rows: 4, lastSeq: 4 });
  });

  it('refuses an invalid event alone: the others of its batch are committed', async () => {
    const path = tempDbPath();
    const { writer, batches, commit } = counted(path);
    const results = await Promise.allSettled([
      commit.append(event()),
      commit.append(event({ credentialFingerprint: 'a raw secret' })),
      commit.append(event()),
    ]);
    writer.close();

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const bad = results[1] as PromiseRejectedResult;
    expect(bad.reason).toBeInstanceOf(AgentIdError);
    expect((bad.reason as AgentIdError).code).toBe('ERR_AUDIT_INVALID_EVENT');
    expect(batches).toEqual([2]);
    expect(verified(path)).toEqual({ ok: true, rows: 2, lastSeq: 2 });
  });

  it('loses no handed-back row when the writer is SIGKILLed mid-stream, and the chain stays valid', async () => {
    const path = tempDbPath();
    // The built module (npm test builds first): the writer runs in a process of its own to kill.
    const audit = resolve('dist/src/audit/index.js');
    const script = `
      const { AuditWriter, createGroupCommit } = await import(${JSON.stringify(audit)});
      const { randomUUID } = await import('node:crypto');
      const writer = AuditWriter.open(process.argv[1], { now: () => new Date(), randomUUID });
      const commit = createGroupCommit(writer, (flush) => setImmediate(flush));
      const event = ${JSON.stringify(event({ credentialFingerprint: null }))};
      // Batches of 16 back to back; each row is reported the moment it is handed back, as the
      // daemon answers a request the moment its row is.
      for (;;) {
        await Promise.all(Array.from({ length: 16 }, () =>
          commit.append(event).then((row) => process.stdout.write(row.seq + ' ' + row.hash + '\\n'))));
      }
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const handedBack = new Map<number, string>();
    let partial = '';
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    await new Promise<void>((killed) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          const [seq, hash] = line.split(' ');
          handedBack.set(Number(seq), hash ?? '');
        }
        // Well into the stream: many batches committed, the next one likely in flight.
        if (handedBack.size >= 500 && child.signalCode === null && !child.killed) {
          child.kill('SIGKILL');
          killed();
        }
      });
      child.once('exit', () => killed());
    });
    await exited;
    expect(stderr).toBe('');
    expect(child.signalCode).toBe('SIGKILL');

    const db = new Database(path, { readonly: true });
    const stored = new Map(
      (db.prepare('SELECT seq, hash FROM events').all() as Pick<AuditRow, 'seq' | 'hash'>[]).map((r) => [
        r.seq,
        r.hash,
      ]),
    );
    db.close();
    const lost = [...handedBack].filter(([seq, hash]) => stored.get(seq) !== hash);
    expect(lost).toEqual([]);
    expect(handedBack.size).toBeGreaterThanOrEqual(500);
    const check = verified(path);
    expect(check.ok).toBe(true);
    expect(check.rows).toBe(stored.size);
  });
});
