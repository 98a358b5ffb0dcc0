/**
 * `agentid secret` end to end: the CLI sends the value over the socket, the daemon stores it in
 * a real gnome-keyring (throwaway D-Bus session), and it is readable with `secret-tool` and
 * present in no file under AGENTID_HOME, the audit log or the daemon log (invariant 3). The file
 * backend works when opted in, and without either the error names both fixes.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keyringUnavailableReason, runInKeyringSession } from '../peers/keyring.js';
import { filesContaining, filesUnder } from './files.js';
import { cliPath, type Home, makeHome, runCli } from './harness.js';

const keyringSkip = keyringUnavailableReason();
if (keyringSkip) console.warn(`SKIP agentid secret against gnome-keyring: ${keyringSkip}`);

describe('agentid secret', () => {
  let home: Home;
  afterEach(async () => {
    await runCli(home, ['daemon', 'stop']);
    home.cleanup();
  });

  it.skipIf(keyringSkip !== null)(
    'stores the value in the OS keychain and nowhere under AGENTID_HOME',
    async () => {
      home = makeHome();
      const value = `canary-${Date.now()}-s3cr3t`;
      const agentid = `node ${cliPath}`;
      const session = await runInKeyringSession(
        `set -e
       printf '%s\\n' "$VALUE" | ${agentid} secret set ci-token
       ${agentid} secret ls --json
       echo "lookup=$(secret-tool lookup service agentid username ci-token)"
       ${agentid} audit --json --action secret.set
       ${agentid} secret rm ci-token
       echo "after-rm=$(secret-tool lookup service agentid username ci-token || echo gone)"
       ${agentid} daemon stop`,
        { AGENTID_HOME: home.dir, VALUE: value },
      );
      expect(session.stderr).not.toContain(value);
      expect(session.code, session.stderr).toBe(0);
      expect(session.stdout).toContain(`lookup=${value}`);
      expect(session.stdout).toContain('"ci-token"');
      expect(session.stdout).toContain('after-rm=gone');
      const auditLine = session.stdout.split('\n').find((l) => l.includes('"action":"secret.set"'));
      expect(JSON.parse(auditLine ?? '{}')).toMatchObject({ decision: 'allow', resource: 'ci-token' });
      expect(filesUnder(home.dir).length).toBeGreaterThan(0);
      expect(filesContaining(home.dir, value)).toEqual([]);
      // Only secret-tool's own lookup line may show it: no agentid output does.
      expect(session.stdout.replace(`lookup=${value}`, '')).not.toContain(value);
    },
  );

  it('stores the value in a 0600 file when [secrets] backend = "file" is opted in, with a warning', async () => {
    home = makeHome('[secrets]\nbackend = "file"\n');
    const value = `file-canary-${Date.now()}`;
    const set = await runCli(home, ['secret', 'set', 'npm-token'], { input: `${value}\n` });
    expect(set.code, set.stderr).toBe(0);
    const ls = await runCli(home, ['secret', 'ls', '--json']);
    expect(JSON.parse(ls.stdout)).toEqual({ names: ['npm-token'], managed: [] });
    const file = join(home.dir, 'state', 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(filesContaining(home.dir, value)).toEqual([file]);
    expect(readFileSync(join(home.dir, 'state', 'daemon.log'), 'utf8')).toMatch(/warn .*unencrypted/);
    const rm = await runCli(home, ['secret', 'rm', 'npm-token']);
    expect(rm.code).toBe(0);
    const again = await runCli(home, ['secret', 'rm', 'npm-token']);
    expect(again.stderr).toContain('ERR_SECRETS_NOT_FOUND');
  });

  it('without a keychain and without the opt-in, fails naming both fixes (no silent fallback)', async () => {
    home = makeHome();
    const env = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', XDG_RUNTIME_DIR: home.dir };
    const set = await runCli(home, ['secret', 'set', 'x'], { input: 'v', env });
    expect(set.code).toBe(1);
    expect(set.stderr).toContain('ERR_SECRETS_NO_KEYCHAIN');
    expect(set.stderr).toContain('backend = "file"');
    expect(set.stderr).toMatch(/gnome-keyring/);
    expect(filesUnder(home.dir).some((f) => f.endsWith('secrets.json'))).toBe(false);
    // Everything else still works on the embedded defaults.
    expect((await runCli(home, ['whoami'], { env })).code).toBe(0);
  });

  it('refuses names that are not names, and empty values, with usage errors', async () => {
    home = makeHome('[secrets]\nbackend = "file"\n');
    const badName = await runCli(home, ['secret', 'set', '../etc'], { input: 'v' });
    expect(badName.stderr).toContain('ERR_SECRETS_INVALID_NAME');
    expect(badName.code).toBe(2);
    const empty = await runCli(home, ['secret', 'set', 'ok'], { input: '' });
    expect(empty.stderr).toContain('ERR_USAGE');
    expect(empty.code).toBe(2);
    // argv is not a channel for the value at all.
    const argv = await runCli(home, ['secret', 'set', 'ok', 'the-value']);
    expect(argv.code).toBe(2);
  });
});
