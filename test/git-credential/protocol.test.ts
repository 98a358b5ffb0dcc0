/** Golden tests of git's credential protocol: parsing, bounds, capability negotiation, answers. */
import { describe, expect, it } from 'vitest';
import {
  formatAnswer,
  MAX_INPUT_BYTES,
  MAX_LINE_BYTES,
  parseCredentialInput,
} from '../../src/protocol/git-credential.js';

describe('parseCredentialInput', () => {
  it.each([
    [
      'plain request',
      'protocol=https\nhost=github.com\npath=acme/w.git\n\n',
      { protocol: 'https', host: 'github.com', path: 'acme/w.git', capabilities: [] },
    ],
    [
      'EOF ends it like a blank line',
      'protocol=https\nhost=h',
      { protocol: 'https', host: 'h', capabilities: [] },
    ],
    ['CRLF lines', 'protocol=https\r\nhost=h\r\n\r\n', { protocol: 'https', host: 'h', capabilities: [] }],
    ['stops at the blank line', 'host=a\n\nhost=b\n', { host: 'a', capabilities: [] }],
    [
      'unknown keys ignored',
      'protocol=https\nhost=h\nwwwauth[]=Basic realm="x"\nfuture=1\n\n',
      { protocol: 'https', host: 'h', capabilities: [] },
    ],
    ['value keeps = signs', 'host=h\npath=a=b\n', { host: 'h', path: 'a=b', capabilities: [] }],
    [
      'capabilities in order',
      'capability[]=authtype\ncapability[]=state\nhost=h\n',
      { host: 'h', capabilities: ['authtype', 'state'] },
    ],
    [
      'an empty list value resets it',
      'capability[]=authtype\ncapability[]=\ncapability[]=state\n',
      { capabilities: ['state'] },
    ],
    ['missing fields stay absent', '\n', { capabilities: [] }],
    ['later value wins', 'host=a\nhost=b\n', { host: 'b', capabilities: [] }],
  ])('%s', (_name, input, expected) => {
    expect(parseCredentialInput(input)).toEqual(expected);
  });

  it.each([
    ['a line without =', 'protocol=https\nhost\n'],
    ['an empty key', '=value\n'],
    ['a NUL byte', 'host=a\0b\n'],
    ['an overlong line', `host=${'a'.repeat(MAX_LINE_BYTES)}\n`],
    ['oversize input', `${'x=y\n'.repeat(MAX_INPUT_BYTES / 4 + 1)}`],
  ])('rejects %s with ERR_GIT_INPUT_INVALID', (_name, input) => {
    expect(() => parseCredentialInput(input)).toThrow(
      expect.objectContaining({ code: 'ERR_GIT_INPUT_INVALID' }),
    );
  });
});

describe('formatAnswer', () => {
  const answer = {
    username: 'x-access-token',
    password: 'ghs_abc',
    expiresAt: new Date('2030-01-01T00:00:00Z'),
  };

  it('answers username and password, always with password_expiry_utc', () => {
    expect(formatAnswer(answer, [])).toBe(
      'username=x-access-token\npassword=ghs_abc\npassword_expiry_utc=1893456000\n',
    );
  });

  it('ignores capabilities other than authtype', () => {
    expect(formatAnswer(answer, ['state'])).not.toContain('authtype');
  });

  it('with capability[]=authtype, announces it and sends an ephemeral pre-encoded Basic credential', () => {
    const text = formatAnswer(answer, ['authtype', 'state']);
    expect(text).toBe(
      'capability[]=authtype\nauthtype=Basic\n' +
        `credential=${Buffer.from('x-access-token:ghs_abc').toString('base64')}\n` +
        'ephemeral=1\npassword_expiry_utc=1893456000\n',
    );
  });
});
