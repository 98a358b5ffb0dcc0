/**
 * The audit TUI in a real terminal: tmux runs the built `agentid audit` against a generated log,
 * send-keys drives it, capture-pane reads the screen, and `q` gives the shell its screen back
 * (the alternate screen is left). Skipped, with the reason printed, where tmux is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAuditLog } from '../../bench/audit-fixture.js';
import { cliPath, type Home, makeHome, sleep } from './harness.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux)
  console.warn('skipping the audit TUI terminal test: tmux is not installed (apt-get install tmux)');

const session = `agentid-tui-${process.pid}`;
// A private tmux server (-L) keeps the test off any tmux the developer runs.
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', session, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session);

async function waitForScreen(check: (text: string) => boolean): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = screen();
    if (check(text)) return text;
    if (Date.now() > deadline) throw new Error(`the screen never matched; it shows:\n${text}`);
    await sleep(50);
  }
}

describe.skipIf(!hasTmux)('agentid audit in tmux', () => {
  let home: Home;
  beforeAll(() => {
    home = makeHome();
    mkdirSync(join(home.dir, 'state'), { recursive: true, mode: 0o700 });
    generateAuditLog(home.auditDb, { rows: 500, chained: true, start: '2025-06-01T00:00:00.000Z' });
  });
  afterAll(() => {
    spawnSync('tmux', ['-L', session, 'kill-server']);
    home?.cleanup();
  });

  it('browses, filters, shows details, and quits with the terminal restored', async () => {
    // ink renders only the last frame when it believes it runs in CI (CI, CONTINUOUS_INTEGRATION or
    // CI_* set, as in our own CI run): this terminal is interactive, so clear them.
    const shell = `unset CI CONTINUOUS_INTEGRATION $(env | sed -n 's/^\\(CI_[A-Za-z0-9_]*\\)=.*/\\1/p'); printf 'shell-before\\n'; AGENTID_HOME=${home.dir} ${process.execPath} ${cliPath} audit; echo "exit=$?"; sleep 60`;
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '30', shell);

    const first = await waitForScreen((t) => t.includes('chain: verified up to seq 500'));
    expect(first).toContain('500 rows · 50 deny · 5 error');
    expect(first).toMatch(/› 500\s+2025-06-01 00:08:19 deny\s+claude/);
    expect(first).not.toContain('shell-before');

    tmux('send-keys', '-t', session, 'j', 'Down', 'PageDown');
    await waitForScreen((t) => /^› 474\s/m.test(t));

    tmux('send-keys', '-t', session, 'Enter');
    const detail = await waitForScreen((t) => t.includes('event seq 474'));
    // seq 474: agent FIXTURE_AGENTS[474 % 5].
    expect(detail).toMatch(/agent\s+aider/);
    expect(detail).toMatch(/repo\s+git@github\.com:acme\/app\.git at \/home\/alice\/src\/app/);
    expect(detail).not.toContain('[object Object]');
    tmux('send-keys', '-t', session, 'Enter');
    await waitForScreen((t) => /^› 474\s/m.test(t));

    // A burst of keys arrives in one read, as from a held key: every one of them moves.
    tmux('send-keys', '-t', session, '-l', 'j'.repeat(33));
    await waitForScreen((t) => /^› 441\s/m.test(t));
    tmux('send-keys', '-t', session, '-l', 'k'.repeat(11));
    await waitForScreen((t) => /^› 452\s/m.test(t));

    tmux('send-keys', '-t', session, '/');
    await waitForScreen((t) => /^\/ ?$/m.test(t));
    tmux('send-keys', '-t', session, '-l', 'agent:claude decision:deny');
    await waitForScreen((t) => t.includes('/agent:claude decision:deny'));
    tmux('send-keys', '-t', session, 'Enter');
    const filtered = await waitForScreen((t) => t.includes('filter: agent:claude decision:deny'));
    const rows = filtered.split('\n').filter((l) => /^[ ›] \d+\s+2025-/.test(l));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/ deny\s+claude /);

    tmux('send-keys', '-t', session, 'q');
    const after = await waitForScreen((t) => t.includes('exit=0'));
    // Back on the shell's own screen: what it printed before, nothing of the TUI.
    expect(after).toContain('shell-before');
    expect(after).not.toContain('chain:');
  });
});
