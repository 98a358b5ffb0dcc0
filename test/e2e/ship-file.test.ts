/**
 * The OCSF JSON-lines sink through the built daemon: requests land in the file as the events
 * `audit export --format ocsf` prints, rotated by size with nothing lost or split; and a collector
 * outage that outlasts retention ends in a coded gap report (status, doctor and an audit row that
 * is itself shipped) rather than in rows silently lost.
 *
 * The outage's old rows are written, before the daemon first starts, by our own AuditWriter with a
 * clock three days back (the clock is our seam): the daemon cannot be made to wait days.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditWriter, ocsfJson } from '../../src/audit/index.js';
import { event } from '../audit/helpers.js';
import { type Daemon, type Home, makeHome, runCli, startDaemon } from './harness.js';
import { requestToken, auditRows as rowsOf, statusOf as status, until } from './team-helpers.js';

const DAY_MS = 86_400_000;

describe('audit shipping to an OCSF JSON-lines file', () => {
  let home: Home | undefined;
  let daemon: Daemon | undefined;
  afterEach(async () => {
    await daemon?.stop();
    home?.cleanup();
    daemon = undefined;
    home = undefined;
  });

  const token = async (h: Home) => expect(await requestToken(h)).toBe(200);
  /** Every line of the file and its rotated files, oldest first. */
  const shipped = (dir: string) => {
    const files = readdirSync(dir)
      .filter((f) => f.startsWith('ocsf.jsonl'))
      .sort((a, b) => rank(b) - rank(a));
    return files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
  };

  it('ships every row as its OCSF line, rotating by size without losing or splitting one', async () => {
    home = makeHome();
    const out = join(home.dir, 'collector');
    mkdirSync(out);
    writeFileSync(
      join(home.dir, 'config.toml'),
      `[audit.ship]\nfile = "${out}/ocsf.jsonl"\nfile_max_bytes = 65536\nfile_keep = 20\nfile_mode = "0640"\n`,
    );
    daemon = await startDaemon(home);
    const h = home;
    for (let i = 0; i < 100; i++) await token(h);
    const rows = rowsOf(h);
    const lines = await until('every row in the file', () => {
      const current = shipped(out);
      return current.length >= rows.length ? current : undefined;
    });
    expect(lines).toEqual(rows.map((r) => ocsfJson(r)));
    const exported = await runCli(h, ['audit', 'export', '--format', 'ocsf']);
    expect(exported.stdout.trim().split('\n')).toEqual(lines);
    const files = readdirSync(out);
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) {
      expect(statSync(join(out, f)).size).toBeLessThanOrEqual(65536);
      expect(statSync(join(out, f)).mode & 0o777).toBe(0o640);
    }
    const sink = (await status(h)).auditShip[0];
    expect(sink).toMatchObject({ sink: 'file', target: `${out}/ocsf.jsonl`, lastError: null, gap: null });
  }, 90_000);

  it('an outage longer than retention gives a coded gap report, audited and shipped, and nothing else is lost', async () => {
    home = makeHome();
    const h = home;
    const out = join(h.dir, 'collector');
    const config = (retainDays: number) =>
      writeFileSync(
        join(h.dir, 'config.toml'),
        `[audit]\nretain_days = ${retainDays}\n[audit.ship]\nfile = "${out}/ocsf.jsonl"\n`,
      );
    // Three days ago, ten requests were audited while the collector was already gone.
    mkdirSync(join(h.dir, 'state'), { recursive: true, mode: 0o700 });
    const threeDaysAgo = Date.now() - 3 * DAY_MS;
    let tick = 0;
    const writer = AuditWriter.open(h.auditDb, {
      now: () => new Date(threeDaysAgo + 1000 * tick++),
      randomUUID: () => crypto.randomUUID(),
    });
    for (let i = 0; i < 10; i++) writer.append(event());
    writer.close();

    config(36_500);
    daemon = await startDaemon(h);
    await token(h);
    const down = await until('the outage in status', async () => {
      const sink = (await status(h)).auditShip[0];
      return sink?.state === 'retrying' && sink.lagRows >= 11 ? sink : undefined;
    });
    expect(down).toMatchObject({ cursor: 0, lastError: { code: 'ERR_AUDIT_SHIP_UNAVAILABLE' } });
    expect(down.oldestPending).toBe(rowsOf(h)[0]?.time);
    await daemon.stop();

    // Retention is now one day: the next start prunes the ten old rows, unshipped.
    config(1);
    daemon = await startDaemon(h);
    await token(h);
    const gapped = await until('the gap in status', async () => {
      const sink = (await status(h)).auditShip[0];
      return sink?.gap ? sink : undefined;
    });
    expect(gapped.gap).toEqual({
      from: 1,
      to: 10,
      reason: 'pruned',
      at: expect.any(String),
      sinceStart: true,
    });
    const doctor = JSON.parse((await runCli(h, ['doctor', '--json'])).stdout) as {
      checks: { id: string; status: string; detail: string; fix: string | null }[];
    };
    const check = doctor.checks.find((c) => c.id === 'audit-ship');
    expect(check).toMatchObject({ status: 'fail' });
    expect(check?.detail).toContain(
      'rows 1..10 were pruned by retention before they were shipped (ERR_AUDIT_SHIP_GAP)',
    );
    const gapRows = rowsOf(h).filter((r) => r.action === 'audit.ship.gap');
    expect(gapRows).toEqual([
      expect.objectContaining({
        decision: 'error',
        agent: 'daemon',
        errorCode: 'ERR_AUDIT_SHIP_GAP',
        resource: `${out}/ocsf.jsonl`,
        reason: expect.stringContaining('audit rows 1..10 (10) were pruned by retention'),
      }),
    ]);

    // The collector is back: everything the log still holds arrives, the gap report with it.
    mkdirSync(out);
    const rows = rowsOf(h);
    const lines = await until('the rest in the file', () => {
      const current = shipped(out);
      return current.length >= rows.length ? current : undefined;
    });
    expect(lines).toEqual(rows.map((r) => ocsfJson(r)));
    expect(rows[0]?.seq).toBe(11);
    const gapEvent = lines.map((l) => JSON.parse(l)).find((e) => e.status_code === 'ERR_AUDIT_SHIP_GAP');
    expect(gapEvent).toMatchObject({ class_uid: 6003, api: { operation: 'audit.ship.gap' } });
  }, 120_000);
});

/** ocsf.jsonl is newest (0); ocsf.jsonl.N is N rotations older. */
function rank(file: string): number {
  const n = Number(file.slice('ocsf.jsonl.'.length));
  return file === 'ocsf.jsonl' ? 0 : n;
}
