/**
 * The README's two set-up commands, taken from README.md and run as written by a fresh user
 * (uid 65534 when we are root: the non-root user with a system Node, for whom `npm link` would
 * need root) with a login shell's PATH (~/.local/bin on it, as the distributions' default
 * ~/.profile has it). `npm ci` is the one stand-in: what it produces, this tree's node_modules and
 * dist/, is linked into the fresh directory beforehand instead of downloading and compiling it all
 * again; the rest runs for real, and the second command must find a bare `agentid` on PATH.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dirForOtherUid, NOBODY } from '../other-uid.js';
import { collect } from './harness.js';

const isRoot = process.getuid?.() === 0;
const user = isRoot ? { uid: NOBODY, gid: NOBODY } : {};

/** The shell commands of the README's "Set up" section, one per line. */
function readmeSetup(): string[] {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Set up'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block.split('\n').filter((line) => line.trim() !== '');
}

describe('the README set-up on a fresh clone, as a user without root', () => {
  const base = dirForOtherUid('agentid-readme-');
  const clone = join(base, 'clone');
  const home = join(base, 'home');
  afterAll(async () => {
    await runAs('agentid daemon stop');
    rmSync(base, { recursive: true, force: true });
  });

  for (const dir of [clone, home, join(home, 'run')]) {
    mkdirSync(dir, { mode: 0o700 });
    if (isRoot) chownSync(dir, NOBODY, NOBODY);
  }
  for (const file of ['package.json', 'package-lock.json', 'README.md'])
    copyFileSync(file, join(clone, file));
  // What `npm ci` leaves behind (hard links: instant where the filesystem allows, else a copy).
  const linked = spawnSync('cp', ['-al', 'node_modules', 'dist', clone]);
  if (linked.status !== 0) spawnSync('cp', ['-a', 'node_modules', 'dist', clone]);

  const env: NodeJS.ProcessEnv = {
    HOME: home,
    USER: isRoot ? 'nobody' : process.env.USER,
    LANG: 'C.UTF-8',
    // A login shell's PATH on a distribution whose ~/.profile adds ~/.local/bin: node and npm from the system.
    PATH: [join(home, '.local', 'bin'), dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(
      ':',
    ),
    XDG_RUNTIME_DIR: join(home, 'run'),
    DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
  // `npm ci` already happened (above); every other npm command is npm's own.
  const npmCi = 'npm() { if [ "$1" = ci ]; then return 0; fi; command npm "$@"; }';
  function runAs(line: string) {
    return collect(
      spawn('sh', ['-c', `${npmCi}\n${line}`], {
        cwd: clone,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        ...user,
      }),
    );
  }

  it('gives a working `agentid` on PATH, and the first session is audited as agent demo', async () => {
    const [install, firstRun, ...more] = readmeSetup();
    expect(more).toEqual([]);
    expect(install).toBe('npm ci && node dist/cli/main.js install-shim');

    const installed = await runAs(install ?? '');
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toContain(join(home, '.local', 'bin', 'agentid'));
    // A new shell finds it by name (no npx, no node_modules/.bin on PATH).
    const which = spawnSync('sh', ['-c', 'command -v agentid && agentid --version'], {
      env,
      encoding: 'utf8',
      ...user,
    });
    expect(which.stdout).toBe(
      `${join(home, '.local', 'bin', 'agentid')}\n${JSON.parse(readFileSync('package.json', 'utf8')).version}\n`,
    );

    const run = await runAs(firstRun ?? '');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/agent\s+demo/);
    const rows = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { action: string; agent: string; decision: string });
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['session.start', 'identify', 'session.end']),
    );
    // The session's first row names the agent it declares (it used to say `unknown`).
    expect(rows.find((r) => r.action === 'session.start')).toMatchObject({
      agent: 'demo',
      decision: 'allow',
    });
  });
});
