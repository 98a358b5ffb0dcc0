import { describe, expect, it } from 'vitest';
import { setCredentialProcess } from '../../cli/aws-config-file.js';

const CMD = 'agentid aws credential-process dev';
const LINE = `credential_process = ${CMD}`;

describe('setCredentialProcess', () => {
  it.each([
    ['an empty file', '', 'dev', `[profile dev]\n${LINE}\n`],
    [
      'a file without the profile',
      '[default]\nregion = us-east-1\n',
      'dev',
      `[default]\nregion = us-east-1\n\n[profile dev]\n${LINE}\n`,
    ],
    [
      'a file without a final newline',
      '[default]\nregion = x',
      'dev',
      `[default]\nregion = x\n\n[profile dev]\n${LINE}\n`,
    ],
    [
      'the profile, before the next section and its blank line',
      '[profile dev]\nregion = eu-west-1\n\n[profile other]\nregion = x\n',
      'dev',
      `[profile dev]\nregion = eu-west-1\n${LINE}\n\n[profile other]\nregion = x\n`,
    ],
    [
      'the profile with another command',
      '# mine\n[profile dev]\ncredential_process = old-tool --x\nregion = r\n',
      'dev',
      `# mine\n[profile dev]\n${LINE}\nregion = r\n`,
    ],
    ['the default profile', '[default]\nregion = r\n', 'default', `[default]\nregion = r\n${LINE}\n`],
    ['"[profile default]"', '[profile default]\n', 'default', `[profile default]\n${LINE}\n`],
    ['no default profile yet', '', 'default', `[default]\n${LINE}\n`],
    [
      'a look-alike section ([dev] is not a profile in ~/.aws/config)',
      '[dev]\nx = 1\n',
      'dev',
      `[dev]\nx = 1\n\n[profile dev]\n${LINE}\n`,
    ],
    [
      'a header with spaces and a comment',
      '[ profile  dev ] ; c\nregion = r',
      'dev',
      `[ profile  dev ] ; c\nregion = r\n${LINE}`,
    ],
    [
      'CRLF line endings',
      '[profile dev]\r\nregion = r\r\n',
      'dev',
      `[profile dev]\r\nregion = r\r\n${LINE}\r\n`,
    ],
    [
      'the key in another profile only',
      `[profile other]\n${LINE}\n`,
      'dev',
      `[profile other]\n${LINE}\n\n[profile dev]\n${LINE}\n`,
    ],
  ])('%s', (_, before, profile, after) => {
    const edit = setCredentialProcess(before, profile, CMD);
    expect(edit).toEqual({ text: after, changed: true });
    // Idempotent: a second run finds the line and changes nothing.
    expect(setCredentialProcess(edit.text, profile, CMD)).toEqual({ text: after, changed: false });
  });

  it('keeps every other byte of the file, odd spacing and comments included', () => {
    const before =
      '; top\n[profile a]   \n\tregion=eu-west-1  \n\n\n[profile dev]\n# note\ns3 =\n  max_concurrent_requests = 2\n[sso-session x]\nsso_region = y';
    const { text } = setCredentialProcess(before, 'dev', CMD);
    expect(text).toBe(
      before.replace('max_concurrent_requests = 2\n', `max_concurrent_requests = 2\n${LINE}\n`),
    );
  });
});
