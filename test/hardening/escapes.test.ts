/**
 * Attack: terminal control sequences in attested data. The agent picks its cwd, its argv and the
 * names it sends; agentid prints them to the user's terminal in whoami, status, error messages
 * and the audit TUI. A payload that retitles the terminal (OSC 0), clears it (CSI 2J), starts an
 * 8-bit CSI (U+009B) and reverses text (U+202E) must arrive escaped in every human view, while
 * `--json` keeps the exact value.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, collect, type Daemon, type Home, runCli, sleep, startDaemon } from '../e2e/harness.js';
import { record } from './tally.js';

const PAYLOAD = '\x1b]0;pwned\x07\x1b[2J\u009b31m\u202e';
/** How each part of PAYLOAD must look once escaped. */
const ESCAPED = '\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202e';
/** The payload's active parts, any one of which reaching the terminal raw is a failure. */
const RAW = ['\x1b]0;pwned\x07', '\x1b[2J', '\u009b', '\u202e'];

const hasRaw = (text: string) => RAW.some((part) => text.includes(part));

/** A home whose path (socket, audit log, the cwd of the callers) carries the payload. */
function payloadHome(): Home {
  const dir = mkdtempSync(join(tmpdir(), PAYLOAD));
  return {
    dir,
    socket: join(dir, 'run', 'agentid.sock'),
    auditDb: join(dir, 'state', 'audit.db'),
    env: { ...process.env, AGENTID_HOME: dir, AGENTID_NO_AUTOSTART: '1' },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `agentid ARGS` run from the payload dir by a parent whose argv carries the payload too. */
function fromPayloadParent(home: Home, args: string[]) {
  const parent = `
const r = require('node:child_process').spawnSync(process.execPath, ${JSON.stringify([cliPath, ...args])},
  { cwd: ${JSON.stringify(home.dir)}, encoding: 'utf8' });
process.stdout.write(r.stdout); process.stderr.write(r.stderr);`;
  return collect(
    spawn(process.execPath, ['-e', parent, PAYLOAD], { env: home.env, stdio: ['pipe', 'pipe', 'pipe'] }),
  );
}

/** ink draws only the last frame when it believes it runs in CI: this terminal is interactive. */
function interactiveEnv(home: Home): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...home.env, TERM: 'xterm' };
  for (const key of Object.keys(env))
    if (key === 'CI' || key.startsWith('CI_') || key === 'CONTINUOUS_INTEGRATION') delete env[key];
  return env;
}

/** The audit TUI in a pseudo-terminal (util-linux `script`): opens the newest row's detail, quits. */
async function tuiOutput(home: Home): Promise<string> {
  const child = spawn(
    'script',
    ['-q', '-e', '-c', `stty cols 200 rows 40; ${process.execPath} ${cliPath} audit`, '/dev/null'],
    { env: interactiveEnv(home), cwd: tmpdir(), stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const deadline = Date.now() + 15_000;
  while (!out.includes('chain:') && Date.now() < deadline) await sleep(50);
  child.stdin.write('\r');
  while (!out.includes('event seq') && Date.now() < deadline) await sleep(50);
  await sleep(300);
  // Enter leaves the detail, q quits.
  child.stdin.write('\r');
  await sleep(300);
  child.stdin.write('q');
  await Promise.race([closed, sleep(5_000)]);
  child.kill('SIGKILL');
  return out;
}

const scriptMissing = spawnSync('script', ['--version']).status !== 0;

describe('attack: control characters in attested data', () => {
  let home: Home;
  let daemon: Daemon;
  beforeAll(async () => {
    home = payloadHome();
    daemon = await startDaemon(home);
  });
  afterAll(async () => {
    await daemon?.stop();
    home?.cleanup();
  });

  it('escapes them in whoami, status, error messages and the audit TUI; JSON stays exact', async () => {
    const failures: string[] = [];
    const check = (view: string, text: string, mustShowEscaped = true) => {
      if (hasRaw(text)) failures.push(`${view}: raw control sequence`);
      else if (mustShowEscaped && !text.includes(ESCAPED))
        failures.push(`${view}: payload not shown escaped`);
    };

    const status = await runCli(home, ['status']);
    expect(status.code, status.stderr).toBe(0);
    check('status', status.stdout);

    const badName = await runCli(home, ['secret', 'rm', `x${PAYLOAD}`]);
    expect(badName.stderr).toContain('ERR_SECRETS_INVALID_NAME');
    // The daemon's message quotes the name as JSON, which escapes C0 but not U+009B or U+202E.
    check('error message', badName.stderr, false);

    const badOption = await runCli(home, ['whoami', `--${PAYLOAD}`]);
    expect(badOption.code).toBe(2);
    check('usage error', badOption.stderr);

    // Last, so the newest audit row (the one the TUI opens) is this caller's, cwd and all.
    const whoami = await fromPayloadParent(home, ['whoami']);
    expect(whoami.code, whoami.stderr).toBe(0);
    check('whoami', whoami.stdout);
    // Each part on its line: the cwd and the parent's argv stay on the line of their label.
    expect(whoami.stdout).toMatch(/^cwd: {7}.*pwned/m);

    const json = await fromPayloadParent(home, ['whoami', '--json']);
    const me = JSON.parse(json.stdout) as {
      attestation: { cwd: string; ancestors: { cmdline: string[] }[] };
    };
    if (me.attestation.cwd !== home.dir) failures.push('whoami --json: cwd not exact');
    if (!me.attestation.ancestors.some((hop) => hop.cmdline.includes(PAYLOAD)))
      failures.push('whoami --json: parent argv not exact');

    let views = 5;
    if (scriptMissing) {
      console.warn('SKIP the audit TUI part: util-linux `script` is missing (apt-get install bsdutils)');
    } else {
      views += 1;
      const screen = await tuiOutput(home);
      if (!screen.includes('event seq')) failures.push('tui: detail never shown');
      check('audit TUI', screen);
    }
    record({
      attack: 'attack: control characters in human output',
      tried: views,
      failures: failures.length,
      note: failures.join('; ') || 'whoami, whoami --json, status, error, usage error, audit TUI',
    });
    expect(failures).toEqual([]);
  });
});
