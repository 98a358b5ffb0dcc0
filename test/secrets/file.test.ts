/** The opt-in file backend: private file, atomic writes, refusal of files others could read. */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSecretStore } from '../../src/secrets/index.js';

let dir = '';
let filePath = '';
let warnings: string[] = [];
const open = () =>
  openSecretStore({
    backend: 'file',
    filePath,
    markerPath: join(dir, 'state', 'keychain-marker'),
    warn: (message) => warnings.push(message),
  });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentid-secrets-file-'));
  filePath = join(dir, 'state', 'secrets.json');
  warnings = [];
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('file secret store', () => {
  it('creates a 0600 file in a 0700 dir and warns once that it is unencrypted', async () => {
    const store = await open();
    expect(store.backend).toBe('file');
    expect((await stat(filePath)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'state'))).mode & 0o777).toBe(0o700);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/unencrypted/);
    expect(warnings[0]).toMatch(/keychain is preferred/);
    expect(warnings[0]).toContain(filePath);
  });

  it('round-trips, lists sorted names, deletes, and persists across opens', async () => {
    const store = await open();
    await store.set('zeta', 'z-value');
    await store.set('alpha/key', 'a-value');
    await store.set('constructor', 'not a prototype property');
    expect(await store.get('alpha/key')).toBe('a-value');
    expect(await store.get('missing')).toBeUndefined();
    expect(await store.get('toString')).toBeUndefined();
    expect(await store.list()).toEqual(['alpha/key', 'constructor', 'zeta']);
    expect(await store.delete('zeta')).toBe(true);
    expect(await store.delete('zeta')).toBe(false);

    const reopened = await open();
    expect(await reopened.list()).toEqual(['alpha/key', 'constructor']);
    expect(await reopened.get('constructor')).toBe('not a prototype property');
    // Still 0600 after atomic replacement, and no temp files left behind.
    expect((await stat(filePath)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'state'))).toEqual(['secrets.json']);
  });

  it('loses no update when writes overlap', async () => {
    const store = await open();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set(`k${i}`, `v${i}`)));
    expect(await store.list()).toHaveLength(20);
  });

  it('refuses a group/world readable file with the chmod fix, without showing its contents', async () => {
    await (await open()).set('token', 'hunter2-value');
    await chmod(filePath, 0o644);
    const refused = expect(open()).rejects;
    await refused.toMatchObject({ code: 'ERR_SECRETS_BACKEND' });
    await refused.toThrow(`chmod 600 ${filePath}`);
    await refused.not.toThrow(/hunter2/);
  });

  it('refuses the same file at use time, not only at open', async () => {
    const store = await open();
    await chmod(filePath, 0o640);
    await expect(store.get('token')).rejects.toMatchObject({ code: 'ERR_SECRETS_BACKEND' });
  });

  it('refuses a symlink in place of the file', async () => {
    await open();
    const real = join(dir, 'elsewhere.json');
    await writeFile(real, await readFile(filePath), { mode: 0o600 });
    await rm(filePath);
    await symlink(real, filePath);
    await expect(open()).rejects.toMatchObject({ code: 'ERR_SECRETS_BACKEND', message: /symlink/ });
  });

  it('refuses a FIFO in place of the file at once, instead of waiting for a writer', async () => {
    const store = await open();
    await rm(filePath);
    execFileSync('mkfifo', ['-m', '600', filePath]);
    // The read is synchronous, so a blocking open would hang this very thread. A writer comes
    // after 2 s and leaves a mark first: a call that waited for it finds the mark.
    const marker = join(dir, 'writer-came');
    const writer = spawn('sh', ['-c', 'sleep 2; touch "$1"; exec 3>"$2"', 'sh', marker, filePath]);
    try {
      await expect(store.get('token')).rejects.toMatchObject({
        code: 'ERR_SECRETS_BACKEND',
        message: /not a regular file/,
      });
      expect(existsSync(marker)).toBe(false);
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('reports a corrupt file without quoting it', async () => {
    await open();
    await writeFile(filePath, '{"version":1,"secrets":{"a":"hunter2-value"', { mode: 0o600 });
    const refused = expect(open()).rejects;
    await refused.toMatchObject({ code: 'ERR_SECRETS_BACKEND', message: /not valid JSON/ });
    await refused.not.toThrow(/hunter2/);
  });

  it('rejects a file of another shape', async () => {
    await open();
    await writeFile(filePath, '{"version":1,"secrets":{"a":1}}', { mode: 0o600 });
    await expect(open()).rejects.toMatchObject({ code: 'ERR_SECRETS_BACKEND' });
    await writeFile(filePath, '[]', { mode: 0o600 });
    await expect(open()).rejects.toMatchObject({ code: 'ERR_SECRETS_BACKEND', message: /not an agentid/ });
  });
});
