/** What AWS clients would send is taken; placeholders and temporary keys get a warning, nothing that echoes a secret. */
import { describe, expect, it } from 'vitest';
import { requestChecks } from '../../../src/protocol/index.js';
import { baseKeyWarnings } from '../../../src/providers/index.js';

describe('AWS base keys', () => {
  it.each([
    ['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', /placeholders/],
    ['testing', 'testing', /placeholders: fine for an emulator/],
    ['test', 'test', /placeholders/],
    ['ASIAY34FZKBOKMUTVV7A', 'Zq8vP0p1h4cGVm0dK2rWq9xT3nB6yL5sE7uA1jHk', /temporary key/],
    ['AKIA1234', 'Zq8vP0p1h4cGVm0dK2rWq9xT3nB6yL5sE7uA1jHk', /not shaped like an IAM user key/],
    ['AKIAY34FZKBOKMUTVV7A', 'Zq8vP0p1h4cGVm0dK2rWq9xT3nB6yL5sE7uA1jHk', null],
  ])('%s: stored, warning %s', (id, secret, warning) => {
    const body = requestChecks.awsBaseKeys({ accessKeyId: id, secretAccessKey: secret });
    const warnings = baseKeyWarnings(body.accessKeyId, body.secretAccessKey);
    expect(warnings.join()).not.toContain(secret);
    if (warning === null) expect(warnings).toEqual([]);
    else expect(warnings).toEqual([expect.stringMatching(warning)]);
  });

  it.each([
    ['', 'x'],
    ['AKIA X', 'x'],
    ['AKIAY34FZKBOKMUTVV7A', 'has a\nnewline'],
    ['x'.repeat(129), 'x'],
    [42, 'x'],
  ])('refuses %j without echoing the secret', (id, secret) => {
    expect(() => requestChecks.awsBaseKeys({ accessKeyId: id, secretAccessKey: secret })).toThrow(
      expect.objectContaining({ code: 'ERR_USAGE', message: expect.not.stringContaining('newline') }),
    );
  });
});
