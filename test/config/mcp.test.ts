/** `[mcp]` in config.toml: defaults, values, and errors that name the key. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';

describe('[mcp] config', () => {
  it('defaults: hide denied tools, digest arguments, 4 MiB messages', () => {
    expect(parseConfig('', 'c.toml').mcp).toEqual({
      hideDenied: true,
      auditArguments: false,
      maxMessageBytes: 4 * 1024 * 1024,
    });
  });

  it('reads every key', () => {
    const text = '[mcp]\nhide_denied = false\naudit_arguments = true\nmax_message_bytes = 1048576\n';
    expect(parseConfig(text, 'c.toml').mcp).toEqual({
      hideDenied: false,
      auditArguments: true,
      maxMessageBytes: 1048576,
    });
  });

  it.each([
    ['[mcp]\nhide_denied = "yes"\n', '[mcp] hide_denied must be true or false'],
    ['[mcp]\nmax_message_bytes = 10\n', '[mcp] max_message_bytes must be an integer between'],
    ['[mcp]\nhide = true\n', '[mcp] unknown key "hide"'],
  ])('%j is refused', (text, message) => {
    expect(() => parseConfig(text, 'c.toml')).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG_INVALID', message: expect.stringContaining(message) }),
    );
  });
});
