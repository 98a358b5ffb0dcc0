import { describe, expect, it } from 'vitest';
import { profileValue, removeProfileSetup, setupProfile } from '../../cli/aws-config-file.js';

const CMD = '/usr/bin/node /opt/agentid/dist/cli/main.js aws credential-process dev';
const LINE = `credential_process = ${CMD}`;
const setup = { credentialProcess: CMD, region: 'us-east-1', regionExplicit: false };
const marker = (profile: string, added: string) =>
  `# agentid setup aws added: ${added} (undo: agentid setup aws --profile ${profile} --remove)`;
const NEW = (profile = 'dev') =>
  `${LINE}\nregion = us-east-1\n${marker(profile, 'profile credential_process region')}\n`;

describe('setupProfile and removeProfileSetup', () => {
  it.each([
    ['an empty file', '', 'dev', `[profile dev]\n${NEW()}`],
    [
      'a file without the profile',
      '[default]\nregion = us-east-1\n',
      'dev',
      `[default]\nregion = us-east-1\n\n[profile dev]\n${NEW()}`,
    ],
    [
      'the profile with its own region, before the next section and its blank line',
      '[profile dev]\nregion = eu-west-1\n\n[profile other]\nregion = x\n',
      'dev',
      `[profile dev]\nregion = eu-west-1\n${LINE}\n${marker('dev', 'credential_process')}\n\n[profile other]\nregion = x\n`,
    ],
    [
      'the default profile',
      '[default]\n',
      'default',
      `[default]\n${LINE}\nregion = us-east-1\n${marker('default', 'credential_process region')}\n`,
    ],
    ['no default profile yet', '', 'default', `[default]\n${NEW('default')}`],
    [
      'a look-alike section ([dev] is not a profile in ~/.aws/config)',
      '[dev]\nx = 1\n',
      'dev',
      `[dev]\nx = 1\n\n[profile dev]\n${NEW()}`,
    ],
    [
      'CRLF line endings',
      '[profile dev]\r\nregion = r\r\n',
      'dev',
      `[profile dev]\r\nregion = r\r\n${LINE}\r\n${marker('dev', 'credential_process')}\r\n`,
    ],
    [
      'the key in another profile only',
      `[profile other]\n${LINE}\n`,
      'dev',
      `[profile other]\n${LINE}\n\n[profile dev]\n${NEW()}`,
    ],
    [
      'a profile section followed by another, the whole section ours',
      '[profile a]\nx = 1\n\n[profile b]\ny = 2\n',
      'dev',
      `[profile a]\nx = 1\n\n[profile b]\ny = 2\n\n[profile dev]\n${NEW()}`,
    ],
  ])('%s: set, idempotent, and removed to the byte', (_, before, profile, after) => {
    const edit = setupProfile(before, profile, setup);
    expect(edit).toEqual({ text: after, changed: true });
    expect(setupProfile(edit.text, profile, setup)).toEqual({ text: after, changed: false });
    expect(removeProfileSetup(after, profile)).toEqual({ text: before, changed: true });
  });

  it('replaces another credential_process (and removes it again: as git setup, the old helper is not kept)', () => {
    const before = '# mine\n[profile dev]\ncredential_process = old-tool --x\nregion = r\n';
    const { text } = setupProfile(before, 'dev', setup);
    expect(text).toBe(`# mine\n[profile dev]\n${LINE}\nregion = r\n${marker('dev', 'credential_process')}\n`);
    expect(removeProfileSetup(text, 'dev').text).toBe('# mine\n[profile dev]\nregion = r\n');
  });

  it('keeps a region the user set unless --region is given, and marks only what it added', () => {
    const before = '[profile dev]\nregion = eu-west-1\n';
    expect(profileValue(setupProfile(before, 'dev', setup).text, 'dev', 'region')).toBe('eu-west-1');
    const explicit = setupProfile(before, 'dev', { ...setup, region: 'ap-south-1', regionExplicit: true });
    expect(profileValue(explicit.text, 'dev', 'region')).toBe('ap-south-1');
    // The region was the user's: --remove leaves it (with the value they last chose).
    expect(removeProfileSetup(explicit.text, 'dev').text).toBe('[profile dev]\nregion = ap-south-1\n');
  });

  it('a region it added follows the credential when setup runs again', () => {
    const first = setupProfile('', 'dev', setup).text;
    const again = setupProfile(first, 'dev', { ...setup, region: 'eu-central-1' }).text;
    expect(profileValue(again, 'dev', 'region')).toBe('eu-central-1');
    expect(removeProfileSetup(again, 'dev').text).toBe('');
  });

  it('keeps what the user added to a profile setup created', () => {
    const made = setupProfile('', 'dev', setup).text;
    const edited = made.replace('region = us-east-1\n', 'region = us-east-1\noutput = json\n');
    expect(removeProfileSetup(edited, 'dev').text).toBe('[profile dev]\noutput = json\n');
  });

  it('without its marker, removes only a credential_process that runs agentid', () => {
    expect(removeProfileSetup(`[profile dev]\n${LINE}\nregion = r\n`, 'dev').text).toBe(
      '[profile dev]\nregion = r\n',
    );
    const foreign = '[profile dev]\ncredential_process = other-tool\n';
    expect(removeProfileSetup(foreign, 'dev')).toEqual({ text: foreign, changed: false });
    expect(removeProfileSetup('[profile x]\n', 'dev')).toEqual({ text: '[profile x]\n', changed: false });
  });

  it('keeps every other byte of the file, odd spacing and comments included', () => {
    const before =
      '; top\n[profile a]   \n\tregion=eu-west-1  \n\n\n[profile dev]\n# note\ns3 =\n  max_concurrent_requests = 2\n[sso-session x]\nsso_region = y';
    const { text } = setupProfile(before, 'dev', setup);
    expect(text).toBe(
      before.replace(
        'max_concurrent_requests = 2\n',
        `max_concurrent_requests = 2\n${LINE}\nregion = us-east-1\n${marker('dev', 'credential_process region')}\n`,
      ),
    );
    expect(removeProfileSetup(text, 'dev').text).toBe(before);
  });
});
