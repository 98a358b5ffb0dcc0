/**
 * The OCSF JSON-lines sink on real files: one event per line, exactly `audit export --format ocsf`;
 * rotation by size keeps `keep` older files and never splits a line; a missing directory is an
 * outage (coded), not something the sink creates; the configured mode wins over the umask.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AuditRow, AuditWriter, ocsfJson } from '../../../src/audit/index.js';
import { JsonlFileSink } from '../../../src/audit/ship/index.js';
import { event, steppingDeps } from '../helpers.js';

describe('JsonlFileSink', () => {
  let dir: string;
  let rows: AuditRow[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentid-jsonl-'));
    const writer = AuditWriter.open(join(dir, 'audit.db'), steppingDeps());
    rows = Array.from({ length: 120 }, (_, i) =>
      writer.append(event({ reason: `row ${i} ${'x'.repeat(400)}` })),
    );
    writer.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

  it('writes one OCSF event per line and rotates by size, newest rotated file .1', async () => {
    const path = join(dir, 'out', 'ocsf.jsonl');
    mkdirSync(join(dir, 'out'));
    const maxBytes = 64 * 1024;
    const sink = new JsonlFileSink({ path, maxBytes, keep: 10, mode: 0o600 });
    await sink.open();
    for (let i = 0; i < rows.length; i += 7) await sink.send(rows.slice(i, i + 7));
    expect(sink.delivered()).toBe(120);
    await sink.sync();
    sink.close();
    const files = readdirSync(join(dir, 'out')).sort();
    expect(files.length).toBeGreaterThan(2);
    // Oldest first: ocsf.jsonl.N, …, ocsf.jsonl.1, then ocsf.jsonl.
    const ordered = [
      ...files
        .filter((f) => f !== 'ocsf.jsonl')
        .sort((a, b) => Number(b.split('.').pop()) - Number(a.split('.').pop())),
      'ocsf.jsonl',
    ];
    const all = ordered.flatMap((f) => lines(join(dir, 'out', f)));
    expect(all).toEqual(rows.map((r) => ocsfJson(r)));
    for (const f of files) expect(statSync(join(dir, 'out', f)).size).toBeLessThanOrEqual(maxBytes);
  });

  it('keeps only `keep` rotated files', async () => {
    const path = join(dir, 'ocsf.jsonl');
    const sink = new JsonlFileSink({ path, maxBytes: 64 * 1024, keep: 1, mode: 0o600 });
    await sink.open();
    await sink.send(rows);
    sink.close();
    expect(
      readdirSync(dir)
        .filter((f) => f.startsWith('ocsf.jsonl'))
        .sort(),
    ).toEqual(['ocsf.jsonl', 'ocsf.jsonl.1']);
    // What survives is the newest rows, still in order and whole.
    const kept = [...lines(`${path}.1`), ...lines(path)];
    expect(kept).toEqual(rows.slice(rows.length - kept.length).map((r) => ocsfJson(r)));
  });

  it('appends to what is there after a restart, counting its size', async () => {
    const path = join(dir, 'ocsf.jsonl');
    const first = new JsonlFileSink({ path, maxBytes: 64 * 1024, keep: 3, mode: 0o600 });
    await first.open();
    await first.send(rows.slice(0, 30));
    first.close();
    const second = new JsonlFileSink({ path, maxBytes: 64 * 1024, keep: 3, mode: 0o600 });
    await second.open();
    await second.send(rows.slice(30, 60));
    second.close();
    expect([...lines(`${path}.1`), ...lines(path)]).toEqual(rows.slice(0, 60).map((r) => ocsfJson(r)));
    expect(statSync(`${path}.1`).size).toBeLessThanOrEqual(64 * 1024);
  });

  it('a missing directory is an outage (ERR_AUDIT_SHIP_UNAVAILABLE); the sink does not create it', async () => {
    const path = join(dir, 'unmounted', 'ocsf.jsonl');
    const sink = new JsonlFileSink({ path, maxBytes: 64 * 1024, keep: 3, mode: 0o600 });
    await expect(sink.open()).rejects.toMatchObject({ code: 'ERR_AUDIT_SHIP_UNAVAILABLE' });
    expect(existsSync(join(dir, 'unmounted'))).toBe(false);
  });

  it('gives its files the configured mode, whatever the umask', async () => {
    const path = join(dir, 'ocsf.jsonl');
    const umask = process.umask(0o077);
    try {
      const sink = new JsonlFileSink({ path, maxBytes: 64 * 1024, keep: 3, mode: 0o640 });
      await sink.open();
      await sink.send(rows);
      sink.close();
    } finally {
      process.umask(umask);
    }
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(statSync(`${path}.1`).mode & 0o777).toBe(0o640);
  });
});
