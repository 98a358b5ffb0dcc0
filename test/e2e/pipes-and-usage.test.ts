/**
 * The CLI as a Unix filter and as a command line: output piped into a reader that stops early
 * (`| head -1`) ends quietly with status 0, usage errors look like every other error
 * (`agentid: <message> (ERR_USAGE)`, exit 2), and `agentid audit --help` shows the listing flags.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAuditLog } from '../../bench/audit-fixture.js';
import { cliPath, collect, type Home, makeHome, runCli } from './harness.js';

describe('piped output and usage errors', () => {
  let home: Home;
  beforeAll(() => {
    home = makeHome();
    mkdirSync(join(home.dir, 'state'), { recursive: true, mode: 0o700 });
    // Far more than a pipe buffer (64 KiB) holds, so the writer is still writing when head leaves.
    generateAuditLog(home.auditDb, { rows: 3000, chained: true, start: '2025-06-01T00:00:00.000Z' });
  });
  afterAll(() => home.cleanup());

  /** `agentid ARGS | head -N` in a shell that reports agentid's own exit status. */
  const piped = (args: string[], lines: number) =>
    collect(
      spawn(
        'bash',
        [
          '-c',
          `"$0" "${cliPath}" "$@" | head -${lines}; echo "status=\${PIPESTATUS[0]}" >&2`,
          process.execPath,
          ...args,
        ],
        { env: home.env, stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );

  it.each([
    [['audit', '--json'], 1],
    [['audit', 'export', '--format', 'ocsf'], 2],
    [['audit', 'export', '--format', 'jsonl'], 1],
    [['audit', '--help'], 1],
  ])('agentid %j | head -%d exits 0 without a word on stderr', async (args, lines) => {
    const result = await piped(args, lines);
    expect(result.stderr).toBe('status=0\n');
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(lines);
  });

  it.each([
    [
      ['audit', '--bogus'],
      "agentid: unknown option '--bogus' (ERR_USAGE)",
      '(see: agentid audit list --help)',
    ],
    [['aws', 'set-base-keys'], "agentid: missing required argument 'credential' (ERR_USAGE)", '--help'],
    [['nosuchcommand'], "agentid: unknown command 'nosuchcommand' (ERR_USAGE)", '--help'],
  ])('usage error %j: exit 2, in agentid format', async (args, first, hint) => {
    const result = await runCli(home, args);
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(first);
    expect(lines.at(-1)).toContain(hint);
    expect(result.stderr).not.toMatch(/^error:/m);
  });

  it('audit --help shows the listing flags of the default command', async () => {
    const help = await runCli(home, ['audit', '--help']);
    expect(help.code).toBe(0);
    for (const flag of [
      '--json',
      '--since <when>',
      '--agent <name>',
      '--decision <decision>',
      '--follow',
      '--limit <n>',
    ]) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout).toContain('Without a command, `agentid audit` runs `list`');
  });
});
