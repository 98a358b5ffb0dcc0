/**
 * config.toml hot reload, against the built daemon: an edit applies without a restart and is
 * audited with the file's sha256; a broken edit changes nothing and is shown by `status` and
 * `doctor`; a key bound at start is named as waiting for a restart until the daemon restarts.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../cli/doctor/checks.js';
import type { StatusResponse } from '../../src/protocol/index.js';
import { type Daemon, type Home, makeHome, runCli, sleep, startDaemon } from './harness.js';

const BASE = '[secrets]\nbackend = "file"\n';
const DEV =
  '[credentials.dev]\ntype = "aws"\nsource = "assume-role"\nrole_arn = "arn:aws:iam::123456789012:role/agent"\nregion = "us-east-1"\n';
const KEYS = {
  AWS_ACCESS_KEY_ID: 'AKIAAGENTIDRELOAD001',
  AWS_SECRET_ACCESS_KEY: 'reload-test-secret-0123456789',
};

describe('config.toml hot reload', () => {
  let home: Home;
  let daemon: Daemon;
  const file = () => join(home.dir, 'config.toml');
  const sha256 = () => createHash('sha256').update(readFileSync(file())).digest('hex');
  beforeAll(async () => {
    home = makeHome(BASE);
    daemon = await startDaemon(home);
  });
  afterAll(async () => {
    await daemon.stop();
    home.cleanup();
  });

  const status = async () => JSON.parse((await runCli(home, ['status', '--json'])).stdout) as StatusResponse;
  /** Until the daemon has seen the file as it is now. */
  async function reloaded(check: (s: StatusResponse) => boolean): Promise<StatusResponse> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const s = await status();
      if (check(s)) return s;
      if (Date.now() > deadline) throw new Error(`the daemon did not reload: ${JSON.stringify(s.config)}`);
      await sleep(100);
    }
  }
  const reloadRows = async () =>
    (await runCli(home, ['audit', '--json', '--action', 'config.reload'])).stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(
        (l) => JSON.parse(l) as { decision: string; reason: string; errorCode: string | null; agent: string },
      );
  const doctorConfig = async () =>
    (JSON.parse((await runCli(home, ['doctor', '--json'])).stdout) as { checks: CheckResult[] }).checks.find(
      (c) => c.id === 'config',
    );

  it('applies a new credential without a restart, audited with the file hash', async () => {
    const before = await runCli(home, ['aws', 'set-base-keys', 'dev'], { env: KEYS });
    expect(before.code).toBe(2);
    expect(before.stderr).toContain('no credential named dev');

    writeFileSync(file(), `${BASE}\n${DEV}`);
    const hash = sha256();
    const s = await reloaded((x) => x.config.sha256 === hash);
    expect(s.config).toMatchObject({ lastError: null, restartNeeded: [] });
    const after = await runCli(home, ['aws', 'set-base-keys', 'dev'], { env: KEYS });
    expect(after.code, after.stderr).toBe(0);
    expect((await reloadRows()).at(-1)).toMatchObject({
      decision: 'allow',
      agent: 'daemon',
      reason: expect.stringMatching(new RegExp(`^sha256=${hash}; applied: credentials`)),
    });
    expect((await doctorConfig())?.status).toBe('pass');
  });

  it('refuses a broken edit: the last good config stays, status and doctor show why', async () => {
    const good = sha256();
    writeFileSync(file(), `${BASE}\n${DEV}\n[daemon]\nmax_connections = "many"\n`);
    const broken = sha256();
    const s = await reloaded((x) => x.config.lastError !== null);
    expect(s.config).toMatchObject({ sha256: good, lastError: { sha256: broken } });
    expect(s.config.lastError?.message).toContain('max_connections must be an integer');
    const text = (await runCli(home, ['status'])).stdout;
    expect(text).toMatch(/config error .*not applied; the config above stays.*max_connections/);
    expect(await doctorConfig()).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('max_connections'),
    });
    // Still the good config: the credential it added keeps working.
    expect((await runCli(home, ['aws', 'set-base-keys', 'dev'], { env: KEYS })).code).toBe(0);
    expect((await reloadRows()).at(-1)).toMatchObject({
      decision: 'error',
      errorCode: 'ERR_CONFIG_INVALID',
      reason: expect.stringContaining(`sha256=${broken}`),
    });
  });

  it('names keys bound at start until the daemon restarts, and applies the rest meanwhile', async () => {
    writeFileSync(file(), `${BASE}\n${DEV}\n[daemon]\nmax_connections = 8\n\n[audit]\nretain_days = 30\n`);
    const hash = sha256();
    const s = await reloaded((x) => x.config.sha256 === hash);
    expect(s.config).toMatchObject({ lastError: null, restartNeeded: ['daemon.max_connections'] });
    expect((await reloadRows()).at(-1)?.reason).toMatch(
      /applied: audit; needs `agentid daemon stop` and a start: daemon\.max_connections$/,
    );
    expect((await runCli(home, ['status'])).stdout).toContain(
      'applied after a restart only (`agentid daemon stop`, then start): daemon.max_connections',
    );
    expect(await doctorConfig()).toMatchObject({
      status: 'fail',
      fix: 'agentid daemon stop && agentid daemon start',
    });

    await daemon.stop();
    daemon = await startDaemon(home);
    expect((await status()).config).toMatchObject({ sha256: hash, restartNeeded: [], lastError: null });
  });
});
