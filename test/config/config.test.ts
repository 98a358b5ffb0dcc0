import { chmodSync, chownSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig, loadConfig, parseConfig } from '../../src/config/index.js';

describe('parseConfig', () => {
  it('an empty file is the embedded defaults', () => {
    expect(parseConfig('', 'c.toml')).toEqual(defaultConfig());
    expect(defaultConfig().daemon.maxBodyBytes).toBe(64 * 1024);
  });

  it('reads the known keys', () => {
    const config = parseConfig('[secrets]\nbackend = "file"\n[daemon]\nmax_connections = 32\n', 'c.toml');
    expect(config.secrets.backend).toBe('file');
    expect(config.daemon.maxConnections).toBe(32);
  });

  it('defaults to no agent definitions and a 512 MiB hashing cap', () => {
    expect(defaultConfig().agents).toEqual([]);
    expect(defaultConfig().attest).toEqual({ maxHashBytes: 512 * 1024 * 1024 });
  });

  it('reads [attest] max_hash_bytes, up to 8 GiB', () => {
    expect(parseConfig('[attest]\nmax_hash_bytes = 1048576\n', 'c.toml').attest.maxHashBytes).toBe(
      1024 * 1024,
    );
    expect(parseConfig('[attest]\nmax_hash_bytes = 8589934592\n', 'c.toml').attest.maxHashBytes).toBe(
      2 ** 33,
    );
  });

  it('reads [agents.<name>] tables into definitions', () => {
    const config = parseConfig('[agents.claude]\nexe = "/usr/bin/node"\ncwd = "/home/alice"\n', 'c.toml');
    expect(config.agents).toEqual([
      {
        name: 'claude',
        selectors: [
          { kind: 'exe', value: '/usr/bin/node' },
          { kind: 'cwd', prefix: '/home/alice' },
        ],
        specificity: 70,
      },
    ]);
    expect(config.daemon).toEqual(defaultConfig().daemon);
  });

  it.each([
    ['[secret]\nbackend = "file"', 'unknown table [secret]'],
    ['[secrets]\nbackend = "plaintext"', 'backend must be "keychain" or "file"'],
    ['[secrets]\nbakend = "file"', 'unknown key "bakend" in [secrets]'],
    ['[daemon]\nmax_connections = 0', 'max_connections must be an integer between 1 and 10000'],
    ['[daemon]\nmax_body_bytes = "64k"', 'max_body_bytes must be an integer'],
    ['daemon = 3', '"daemon" must be a table'],
    ['[daemon\nx = 1', 'c.toml (line 1'],
    [
      '[attest]\nmax_hash_bytes = 1048575',
      'c.toml: [attest] max_hash_bytes must be an integer between 1048576 and 8589934592',
    ],
    ['[attest]\nmax_hash_bytes = 8589934593', '[attest] max_hash_bytes must be an integer'],
    ['[attest]\nmax_hash_bytes = "512M"', '[attest] max_hash_bytes must be an integer'],
    ['[attest]\nmax_bytes = 1', 'unknown key "max_bytes" in [attest]'],
    ['attest = 1', '"attest" must be a table'],
    ['agents = 1', '"agents" must be a table'],
    ['[[agents]]\nuid = 1', '"agents" must be a table'],
    ['[agents.x]\nexe_path = "/usr/bin/node"', 'c.toml: [agents.x] unknown selector "exe_path"'],
    ['[agents.x]\nsha256 = "abc"', 'c.toml: [agents.x] sha256 must be 64 lowercase hex characters'],
    [
      '[agents.claude]\ncmdline = "[a-"',
      'c.toml: [agents.claude] cmdline: bad glob "[a-": unclosed character class',
    ],
    ['[agents.x]\n', 'c.toml: [agents.x] has no selectors'],
    [
      '[agents.a]\nexe = "/usr/bin/node"\n[agents.b]\nexe = "/usr/bin/node"',
      'c.toml: [agents.a] and [agents.b] tie (specificity 50) and may match the same process; make one more specific',
    ],
  ])('rejects %j: %s', (text, message) => {
    expect(() => parseConfig(text, 'c.toml')).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG_INVALID', message: expect.stringContaining(message) }),
    );
  });
});

describe('loadConfig', () => {
  const uid = process.getuid?.() ?? 0;
  it('uses the defaults when the file does not exist, and names the file in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentid-config-'));
    expect(loadConfig(join(dir, 'absent.toml'), uid)).toEqual(defaultConfig());
    const bad = join(dir, 'config.toml');
    writeFileSync(bad, '[nope]\n');
    expect(() => loadConfig(bad, uid)).toThrow(
      expect.objectContaining({ message: expect.stringContaining(bad) }),
    );
  });

  it('refuses a config.toml another user could have written (ERR_CONFIG_UNSAFE)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentid-config-'));
    const file = join(dir, 'config.toml');
    writeFileSync(file, '[audit]\nretain_days = 3\n');
    chmodSync(file, 0o666);
    expect(() => loadConfig(file, uid)).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG_UNSAFE',
        message: expect.stringContaining('world-writable'),
      }),
    );
    chmodSync(file, 0o644);
    expect(loadConfig(file, uid).audit.retainDays).toBe(3);
    // Owned by someone else (and not root): refused whatever the mode.
    if (uid === 0) chownSync(file, 65534, 65534);
    expect(() => loadConfig(file, uid === 0 ? 0 : uid + 1)).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG_UNSAFE',
        message: expect.stringContaining('owned by uid'),
      }),
    );
  });

  it('reads [sandbox]', () => {
    expect(
      parseConfig('[sandbox]\nmode = "require"\ndbus = true\nshare = ["/run/x"]\n', 'c.toml').sandbox,
    ).toEqual({
      mode: 'require',
      dbus: true,
      share: ['/run/x'],
    });
    expect(() => parseConfig('[sandbox]\nmode = "maybe"\n', 'c.toml')).toThrow(
      /mode must be one of require, auto, off/,
    );
    expect(() => parseConfig('[sandbox]\nshare = ["rel/path"]\n', 'c.toml')).toThrow(/absolute paths/);
  });
});
