/**
 * Audit shipping to a real rsyslog on loopback, through the built daemon: credential requests
 * arrive as RFC 5424 messages carrying their OCSF events, in seq order; an rsyslog outage leaves
 * issuance alone and loses nothing; a daemon killed with SIGKILL mid-stream resends from its saved
 * cursor. Also UDP and a Unix datagram socket (imuxsock), as rsyslog parses them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ocsfJson } from '../../src/audit/index.js';
import { type ReceivedMessage, type Rsyslog, rsyslogMissing, startRsyslog } from '../peers/rsyslog.js';
import { api, type Daemon, type Home, makeHome, runCli, startDaemon } from './harness.js';
import { auditRows, requestToken, statusOf, until } from './team-helpers.js';

if (rsyslogMissing) console.warn(`skipping the rsyslog shipping tests: ${rsyslogMissing}`);

describe.skipIf(rsyslogMissing !== null)('audit shipping to rsyslog', () => {
  let rsyslog: Rsyslog | undefined;
  let home: Home | undefined;
  let daemon: Daemon | undefined;
  afterEach(async () => {
    await daemon?.stop();
    await rsyslog?.close();
    home?.cleanup();
    daemon = undefined;
    rsyslog = undefined;
    home = undefined;
  });

  const start = async (url: string) => {
    home = makeHome(`[audit.ship]\nsyslog = "${url}"\n`);
    daemon = await startDaemon(home);
    return home;
  };
  const token = async (h: Home) => expect(await requestToken(h)).toBe(200);
  const seqs = (messages: ReceivedMessage[]) => messages.map((m) => Number(m.msgId));

  it('N credential requests arrive as N OCSF events over TCP, in seq order, with the seq as MSGID', async () => {
    rsyslog = await startRsyslog();
    const h = await start(`tcp://127.0.0.1:${rsyslog.tcpPort}`);
    const n = 20;
    for (let i = 0; i < n; i++) await token(h);
    const rows = auditRows(h);
    const head = rows.at(-1)?.seq ?? 0;
    const collector = rsyslog;
    await until('every row at rsyslog', () => collector.messages().length >= head, 15_000);
    const messages = collector.messages();
    // Every row of the log, once, in order: the token rows and nothing else.
    expect(seqs(messages)).toEqual(rows.map((r) => r.seq));
    const tokens = rows.filter((r) => r.action === 'jwt');
    expect(tokens).toHaveLength(n);
    for (const row of rows) {
      const message = messages.find((m) => Number(m.msgId) === row.seq) as ReceivedMessage;
      // The MSG is the event `agentid audit export --format ocsf` prints for the row.
      expect(JSON.parse(message.msg)).toEqual(JSON.parse(ocsfJson(row)));
      expect(message).toMatchObject({
        appName: 'agentid',
        procId: String(daemon?.child.pid),
        structuredData: expect.stringMatching(/^\[origin software="agentid" swVersion="[^"]+"\]$/),
      });
      // authpriv (10) * 8 + informational (6), as rsyslog decoded the PRI.
      expect(message.pri).toBe(row.decision === 'allow' ? 86 : row.decision === 'deny' ? 84 : 83);
      expect(Date.parse(message.timestamp)).toBe(Date.parse(row.time));
    }
    const export_ = await runCli(h, ['audit', 'export', '--format', 'ocsf']);
    expect(export_.stdout.trim().split('\n')).toEqual(messages.map((m) => JSON.stringify(JSON.parse(m.msg))));
    const shipped = (await statusOf(h)).auditShip;
    expect(shipped).toEqual([
      expect.objectContaining({
        sink: 'syslog',
        target: `tcp://127.0.0.1:${rsyslog.tcpPort}`,
        lastError: null,
      }),
    ]);
  }, 90_000);

  it('an rsyslog outage leaves issuance alone, and every row arrives once it is back', async () => {
    rsyslog = await startRsyslog();
    const h = await start(`tcp://127.0.0.1:${rsyslog.tcpPort}`);
    for (let i = 0; i < 5; i++) await token(h);
    const collector = rsyslog;
    const before = auditRows(h).at(-1)?.seq ?? 0;
    await until('the first rows', () => collector.messages().length >= before);

    await collector.stop();
    // Issuance goes on while the collector is down: every request answered, every row committed.
    for (let i = 0; i < 10; i++) await token(h);
    const down = await until('the shipper to report the outage', async () => {
      const sink = (await statusOf(h)).auditShip[0];
      return sink?.state === 'retrying' && sink;
    });
    expect(down.lastError?.code).toBe('ERR_AUDIT_SHIP_UNAVAILABLE');
    expect(down.lagRows).toBeGreaterThanOrEqual(10);
    const doctor = await runCli(h, ['doctor', '--json']);
    const check = (
      JSON.parse(doctor.stdout) as { checks: { id: string; status: string; detail: string }[] }
    ).checks.find((c) => c.id === 'audit-ship');
    expect(check?.status).toBe('fail');
    expect(check?.detail).toContain('ERR_AUDIT_SHIP_UNAVAILABLE');
    expect(check?.detail).toMatch(/cursor \d+, lag \d+ rows/);

    await collector.start();
    for (let i = 0; i < 3; i++) await token(h);
    const rows = auditRows(h);
    const head = rows.at(-1)?.seq ?? 0;
    await until('every row after the outage', () => new Set(seqs(collector.messages())).size >= head, 30_000);
    const received = seqs(collector.messages());
    // None missing; a duplicate only as a resend of rows sent before the outage (at least once).
    expect([...new Set(received)].sort((a, b) => a - b)).toEqual(rows.map((r) => r.seq));
    expectResendsOnly(received);
  }, 90_000);

  it('a daemon killed with SIGKILL mid-stream resends from its saved cursor after the restart', async () => {
    rsyslog = await startRsyslog();
    const h = await start(`tcp://127.0.0.1:${rsyslog.tcpPort}`);
    const collector = rsyslog;
    // A stream of requests, and the kill while it runs and while rows are still being shipped.
    const stream = (async () => {
      for (let i = 0; i < 400; i++) {
        const ok = await api(h.socket, 'GET', '/v1/whoami').then(
          (r) => r.status === 200,
          () => false,
        );
        if (!ok) return;
      }
    })();
    await until('the stream to be shipping', () => collector.messages().length >= 50);
    daemon?.child.kill('SIGKILL');
    await stream;
    await new Promise<void>((resolve) =>
      daemon?.child.exitCode !== null ? resolve() : daemon?.child.once('exit', () => resolve()),
    );
    const saved = JSON.parse(readFileSync(join(h.dir, 'state', 'ship', 'syslog.cursor'), 'utf8')) as {
      seq: number;
    };
    const beforeRestart = seqs(collector.messages());

    daemon = await startDaemon(h);
    const rows = auditRows(h);
    const head = rows.at(-1)?.seq ?? 0;
    await until(
      'every row after the restart',
      () => new Set(seqs(collector.messages())).size >= head,
      30_000,
    );
    const received = seqs(collector.messages());
    expect([...new Set(received)].sort((a, b) => a - b)).toEqual(rows.map((r) => r.seq));
    // The restarted daemon began exactly after its saved cursor.
    expect(received[beforeRestart.length]).toBe(saved.seq + 1);
    expectResendsOnly(received);
  }, 90_000);

  it('ships over UDP and to a Unix datagram socket, each as rsyslog parses RFC 5424', async () => {
    rsyslog = await startRsyslog({ udp: true, unix: true });
    for (const url of [`udp://127.0.0.1:${rsyslog.udpPort}`, `unix://${rsyslog.unixSocket}`]) {
      const h = await start(url);
      for (let i = 0; i < 5; i++) await token(h);
      const rows = auditRows(h);
      const collector = rsyslog;
      const ours = () => collector.messages().filter((m) => m.procId === String(daemon?.child.pid));
      await until(`every row over ${url}`, () => ours().length >= rows.length);
      expect(seqs(ours())).toEqual(rows.map((r) => r.seq));
      expect(JSON.parse(ours()[0]?.msg ?? '')).toEqual(JSON.parse(ocsfJson(rows[0] as never)));
      await daemon?.stop();
      home?.cleanup();
      daemon = undefined;
      home = undefined;
    }
  }, 90_000);
});

/**
 * Seqs in arrival order may only go up by one, or start over at an earlier seq (a resend from the
 * cursor after a reconnect or restart), and each resend run is itself in order.
 */
function expectResendsOnly(received: number[]): void {
  for (let i = 1; i < received.length; i++) {
    const [prev, next] = [received[i - 1] as number, received[i] as number];
    if (next !== prev + 1 && next > prev)
      throw new Error(`seq ${next} arrived after ${prev}: rows were skipped`);
  }
}
