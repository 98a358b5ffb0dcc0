/**
 * The audit TUI's views, rendered by ink-testing-library over a real audit log (real writer,
 * real read-only reader): rows render, keys move the selection and page, Enter shows the details,
 * a filter narrows the rows, follow mode shows a row appended after the first screen.
 */
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditApp, type AuditAppProps } from '../../cli/tui/app.js';
import type { AuditReader } from '../../src/audit/index.js';
import { event } from '../audit/helpers.js';
import { openReader, selectedSeq, seqsOnScreen, waitFor, writeLog } from './helpers.js';

const DOWN = '\x1b[B';
const UP = '\x1b[A';
const PAGE_DOWN = '\x1b[6~';
const ENTER = '\r';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0)) fn();
});

/** Renders the app and waits until its effects have run (the chain check has reported), so keys are heard. */
async function start(reader: AuditReader, overrides: Partial<AuditAppProps> = {}) {
  const app = render(
    createElement(AuditApp, {
      source: reader,
      path: '/tmp/audit.db',
      initialFilter: {},
      follow: false,
      now: () => new Date('2025-06-01T13:00:00.000Z'),
      pollMs: 20,
      ...overrides,
    }),
  );
  cleanups.push(() => app.unmount());
  await waitFor(app.lastFrame, (t) => t.includes('chain: verified'));
  return app;
}

function log(n: number) {
  const { path, writer, append } = writeLog(n);
  const reader = openReader(path);
  cleanups.push(() => {
    reader.close();
    writer.close();
  });
  return { reader, append };
}

describe('audit TUI', () => {
  it('renders the newest rows first with their columns, and the verified chain', async () => {
    const { reader } = log(40);
    const app = await start(reader);
    const screen = await waitFor(app.lastFrame, (t) => t.includes('chain: verified'));
    // 24 terminal rows by default: the header, table title and footer leave 18 table rows.
    expect(seqsOnScreen(screen)).toEqual(Array.from({ length: 18 }, (_, i) => 40 - i));
    // Row seq s: agent AGENTS[(s - 1) % 3], deny when s % 4 == 0, expiring at 12:15:00.
    expect(screen).toMatch(/› 40\s+2025-06-01 12:00:40 deny\s+claude\s+local:alice@h… jwt\s+cred-40\s+14m/);
    expect(screen).toMatch(/ {2}39\s+2025-06-01 12:00:39 allow\s+codex\s/);
    expect(screen).toContain('40 rows · 10 deny · 0 error');
    expect(screen).toContain('chain: verified up to seq 40 (40 rows)');
  });

  it('moves the selection with arrows and j/k, and pages with PgDn past the first screen', async () => {
    const { reader } = log(40);
    const app = await start(reader);
    await waitFor(app.lastFrame, (t) => selectedSeq(t) === 40);
    app.stdin.write(DOWN);
    await waitFor(app.lastFrame, (t) => selectedSeq(t) === 39);
    app.stdin.write('j');
    await waitFor(app.lastFrame, (t) => selectedSeq(t) === 38);
    app.stdin.write('k');
    await waitFor(app.lastFrame, (t) => selectedSeq(t) === 39);
    app.stdin.write(PAGE_DOWN);
    const paged = await waitFor(app.lastFrame, (t) => selectedSeq(t) === 21);
    expect(seqsOnScreen(paged)[0]).toBe(22);
    app.stdin.write('G');
    const oldest = await waitFor(app.lastFrame, (t) => selectedSeq(t) === 1);
    expect(seqsOnScreen(oldest)).toEqual(Array.from({ length: 18 }, (_, i) => 18 - i));
    app.stdin.write(UP);
    await waitFor(app.lastFrame, (t) => selectedSeq(t) === 2);
    app.stdin.write('g');
    await waitFor(app.lastFrame, (t) => selectedSeq(t) === 40);
  });

  it('shows the selected event in full on Enter, and goes back on Enter', async () => {
    const { reader } = log(5);
    const app = await start(reader);
    await waitFor(app.lastFrame, (t) => selectedSeq(t) === 5);
    app.stdin.write(DOWN);
    await waitFor(app.lastFrame, (t) => selectedSeq(t) === 4);
    app.stdin.write(ENTER);
    const detail = await waitFor(app.lastFrame, (t) => t.includes('event seq 4'));
    expect(detail).toMatch(/event seq 4 · deny · jwt/);
    expect(detail).toMatch(/id\s+00000000-0000-4000-8000-000000000004/);
    expect(detail).toMatch(/policy ids\s+policy0/);
    expect(detail).toMatch(/fingerprint\s+(cd){32}/);
    expect(detail).toMatch(/sha256\s+(ab){32}/);
    expect(detail).toMatch(/ancestry\s+1 \/sbin\/init/);
    expect(detail).toMatch(/expires\s+2025-06-01T12:15:00.000Z \(ttl 15m\)/);
    app.stdin.write(ENTER);
    await waitFor(app.lastFrame, (t) => selectedSeq(t) === 4 && !t.includes('event seq'));
  });

  it('gives a long-lived secret no expiry, not its lease, and shows a repo as remote and checkout', async () => {
    const { path, writer } = writeLog(1);
    writer.append(
      event({
        action: 'static',
        resource: 'registry',
        reason: 'permitted by p.cedar:policy0; secret=registry-password lifetime=long-lived lease=300s',
        expiresAt: null,
        attestation: {
          exe: '/usr/bin/git',
          repo: { root: '/src/app', remote: 'git@github.com:acme/app.git' },
        },
      }),
    );
    const reader = openReader(path);
    cleanups.push(() => {
      reader.close();
      writer.close();
    });
    const app = await start(reader);
    const table = await waitFor(app.lastFrame, (t) => selectedSeq(t) === 2);
    expect(table).toMatch(/› 2 .* static .* registry .* never/);
    app.stdin.write(ENTER);
    const detail = await waitFor(app.lastFrame, (t) => t.includes('event seq 2'));
    expect(detail).toMatch(/expires\s+never \(a long-lived secret\)/);
    expect(detail).toMatch(/repo\s+git@github\.com:acme\/app\.git at \/src\/app/);
  });

  it('narrows the rows to a filter typed after /', async () => {
    const { reader } = log(30);
    const app = await start(reader);
    await waitFor(app.lastFrame, (t) => selectedSeq(t) === 30);
    app.stdin.write('/');
    await waitFor(app.lastFrame, (t) => t.includes('/'));
    app.stdin.write('agent:codex');
    await waitFor(app.lastFrame, (t) => t.includes('/agent:codex'));
    app.stdin.write(ENTER);
    const filtered = await waitFor(app.lastFrame, (t) => t.includes('filter: agent:codex'));
    // Row i (seq i + 1) has agent AGENTS[i % 3]: codex rows are seq 3, 6, ..., 30.
    expect(seqsOnScreen(filtered)).toEqual([30, 27, 24, 21, 18, 15, 12, 9, 6, 3]);
    expect(filtered).not.toMatch(/claude|cursor/);
  });

  it('says what is wrong with a filter and keeps the rows', async () => {
    const { reader } = log(3);
    const app = await start(reader);
    await waitFor(app.lastFrame, (t) => selectedSeq(t) === 3);
    app.stdin.write('/');
    await waitFor(app.lastFrame, (t) => /^\/$/m.test(t));
    app.stdin.write('decision:maybe');
    await waitFor(app.lastFrame, (t) => t.includes('/decision:maybe'));
    app.stdin.write(ENTER);
    const screen = await waitFor(app.lastFrame, (t) =>
      t.includes('decision must be one of allow, deny, error'),
    );
    expect(seqsOnScreen(screen)).toEqual([3, 2, 1]);
  });

  it('shows a row committed after the first screen when following', async () => {
    const { reader, append } = log(3);
    const app = await start(reader, { follow: true });
    await waitFor(app.lastFrame, (t) => selectedSeq(t) === 3);
    expect(app.lastFrame()).toContain('following');
    append(3);
    const screen = await waitFor(app.lastFrame, (t) => selectedSeq(t) === 4);
    expect(seqsOnScreen(screen)).toEqual([4, 3, 2, 1]);
    expect(screen).toContain('cred-4');
  });

  it('does not show new rows without follow until asked, then f brings them in', async () => {
    const { reader, append } = log(2);
    const app = await start(reader);
    await waitFor(app.lastFrame, (t) => selectedSeq(t) === 2);
    append(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(seqsOnScreen(app.lastFrame() ?? '')).toEqual([2, 1]);
    app.stdin.write('f');
    await waitFor(app.lastFrame, (t) => seqsOnScreen(t)[0] === 3);
  });

  it('shows the keys on ?', async () => {
    const { reader } = log(1);
    const app = await start(reader);
    await waitFor(app.lastFrame, (t) => selectedSeq(t) === 1);
    app.stdin.write('?');
    const help = await waitFor(app.lastFrame, (t) => t.includes('this help'));
    expect(help).toContain('follow: show new events as they are committed');
  });
});
