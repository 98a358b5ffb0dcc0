import { mkdtempSync, writeFileSync } from 'node:fs';
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

  it.each([
    ['[secret]\nbackend = "file"', 'unknown table [secret]'],
    ['[secrets]\nbackend = "plaintext"', 'backend must be "keychain" or "file"'],
    ['[secrets]\nbakend = "file"', 'unknown key "bakend" in [secrets]'],
    ['[daemon]\nmax_connections = 0', 'max_connections must be an integer between 1 and 10000'],
    ['[daemon]\nmax_body_bytes = "64k"', 'max_body_bytes must be an integer'],
    ['daemon = 3', '"daemon" must be a table'],
    ['[daemon\nx = 1', 'c.toml (line 1'],
  ])('rejects %j: %s', (text, message) => {
    expect(() => parseConfig(text, 'c.toml')).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG_INVALID', message: expect.stringContaining(message) }),
    );
  });
});

describe('loadConfig', () => {
  it('uses the defaults when the file does not exist, and names the file in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentid-config-'));
    expect(loadConfig(join(dir, 'absent.toml'))).toEqual(defaultConfig());
    const bad = join(dir, 'config.toml');
    writeFileSync(bad, '[nope]\n');
    expect(() => loadConfig(bad)).toThrow(expect.objectContaining({ message: expect.stringContaining(bad) }));
  });
});
