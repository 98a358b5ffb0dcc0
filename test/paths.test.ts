import { chmodSync, chownSync, mkdirSync, mkdtempSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensurePrivateDir, resolvePaths } from '../src/paths.js';

describe('resolvePaths', () => {
  it('puts everything under AGENTID_HOME when set', () => {
    const p = resolvePaths({ AGENTID_HOME: '/h', XDG_RUNTIME_DIR: '/run/user/1' }, 1000, '/home/u');
    expect(p).toMatchObject({
      configFile: '/h/config.toml',
      policyDir: '/h/policy',
      auditDb: '/h/state/audit.db',
      socket: '/h/run/agentid.sock',
    });
  });

  it('follows XDG, with the runtime dir for the socket', () => {
    const p = resolvePaths(
      { XDG_CONFIG_HOME: '/c', XDG_STATE_HOME: '/s', XDG_RUNTIME_DIR: '/run/user/1000' },
      1000,
      '/home/u',
    );
    expect(p).toMatchObject({
      configFile: '/c/agentid/config.toml',
      policyDir: '/c/agentid/policy',
      auditDb: '/s/agentid/audit.db',
      socket: '/run/user/1000/agentid/agentid.sock',
    });
  });

  it('falls back to ~/.config, ~/.local/state and /tmp/agentid-<uid>', () => {
    const p = resolvePaths({}, 1000, '/home/u');
    expect(p).toMatchObject({
      configFile: '/home/u/.config/agentid/config.toml',
      auditDb: '/home/u/.local/state/agentid/audit.db',
      socket: '/tmp/agentid-1000/agentid.sock',
    });
  });

  it('keeps the thin helpers in the data dir (AGENTID_HOME/bin, XDG_DATA_HOME, ~/.local/share)', () => {
    expect(resolvePaths({ AGENTID_HOME: '/h' }, 1000, '/home/u').helpersDir).toBe('/h/bin');
    expect(resolvePaths({ XDG_DATA_HOME: '/d' }, 1000, '/home/u').helpersDir).toBe('/d/agentid/bin');
    expect(resolvePaths({}, 1000, '/home/u').helpersDir).toBe('/home/u/.local/share/agentid/bin');
  });
});

describe('ensurePrivateDir', () => {
  const uid = process.getuid?.() ?? 0;
  const base = () => mkdtempSync(join(tmpdir(), 'agentid-paths-'));

  it('creates missing directories 0700', () => {
    const dir = join(base(), 'a', 'b');
    ensurePrivateDir(dir, uid);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('refuses a group/world accessible directory and leaves its mode alone', () => {
    const dir = join(base(), 'open');
    mkdirSync(dir);
    chmodSync(dir, 0o750);
    expect(() => ensurePrivateDir(dir, uid)).toThrow(
      expect.objectContaining({
        code: 'ERR_PATHS_UNSAFE_DIR',
        message: expect.stringContaining(`chmod 700 ${dir}`),
      }),
    );
    expect(statSync(dir).mode & 0o777).toBe(0o750);
  });

  it('refuses a directory owned by someone else', () => {
    const dir = join(base(), 'theirs');
    mkdirSync(dir, { mode: 0o700 });
    const otherUid = uid === 0 ? 65534 : uid;
    if (uid === 0) chownSync(dir, 65534, 65534);
    expect(() => ensurePrivateDir(dir, uid === 0 ? 0 : otherUid + 1)).toThrow(
      expect.objectContaining({
        code: 'ERR_PATHS_UNSAFE_DIR',
        message: expect.stringContaining('owned by uid'),
      }),
    );
  });

  it('refuses a path that is a file', () => {
    const file = join(base(), 'f');
    writeFileSync(file, '');
    expect(() => ensurePrivateDir(file, uid)).toThrow();
  });

  it('with noSymlink (the socket dir, which clients refuse as a link) refuses a symlink to a private dir', () => {
    const dir = base();
    const real = join(dir, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, join(dir, 'link'));
    expect(() => ensurePrivateDir(join(dir, 'link'), uid)).not.toThrow();
    expect(() => ensurePrivateDir(join(dir, 'link'), uid, { noSymlink: true })).toThrow(
      expect.objectContaining({ code: 'ERR_PATHS_UNSAFE_DIR' }),
    );
  });
});
