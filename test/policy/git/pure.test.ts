/** The pure parts of policy from git: redaction of what git says, and which tree entries are policies. */
import { describe, expect, it } from 'vitest';
import { redactOutput, redactUrl, urlSecrets } from '../../../src/policy/git/redact.js';
import { parseLsTree, policyBlobs } from '../../../src/policy/git/tree.js';

const OID = 'a'.repeat(40);

describe('redaction', () => {
  it.each([
    ['https://git.example.com/team/policy.git', 'https://git.example.com/team/policy.git'],
    ['https://bot:tok3n@git.example.com/p.git', 'https://***@git.example.com/p.git'],
    ['https://tok3n@git.example.com/p.git', 'https://***@git.example.com/p.git'],
    ['ssh://git@git.example.com/p.git', 'ssh://***@git.example.com/p.git'],
    ['git@github.com:acme/policy.git', 'git@github.com:acme/policy.git'],
  ])('redactUrl(%s)', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('takes credentials, control characters and length out of git output', () => {
    const stderr =
      "fatal: unable to access 'https://bot:p%40ss@git.example.com/p.git/': Could not resolve host\n\u001b[31mred\u0007\n";
    const out = redactOutput(stderr, urlSecrets('https://bot:p%40ss@git.example.com/p.git'));
    expect(out).toBe(
      "fatal: unable to access 'https://***@git.example.com/p.git/': Could not resolve host; [31mred",
    );
    expect(redactOutput(`x p@ss y`, ['p@ss'])).toBe('x *** y');
    expect(redactOutput('a'.repeat(700), []).length).toBe(601);
  });

  it('urlSecrets lists the user info raw and decoded', () => {
    expect(urlSecrets('https://bot:p%40ss@h/p.git')).toEqual(['bot:p%40ss', 'bot', 'bot', 'p%40ss', 'p@ss']);
    expect(urlSecrets('https://h/p.git')).toEqual([]);
  });
});

describe('policy tree', () => {
  const listing = [
    `100644 blob ${OID}     120\tteam.cedar`,
    `100755 blob ${OID}      10\tb.cedar`,
    `100644 blob ${OID}      10\t.hidden.cedar`,
    `100644 blob ${OID}      10\tREADME.md`,
    `040000 tree ${OID}       -\tsub.cedar`,
    `160000 commit ${OID}       -\tmodule`,
    `100644 blob ${OID}      10\twith space\tand tab.cedar`,
  ].join('\0');

  it('parses ls-tree -z -l, names with tabs and spaces included', () => {
    const entries = parseLsTree(`${listing}\0`);
    expect(entries[0]).toEqual({ mode: '100644', type: 'blob', object: OID, size: 120, name: 'team.cedar' });
    expect(entries[4]).toMatchObject({ type: 'tree', size: null, name: 'sub.cedar' });
    expect(entries[6]?.name).toBe('with space\tand tab.cedar');
    expect(() => parseLsTree('garbage\0')).toThrow('unexpected git ls-tree output');
  });

  it('keeps regular, visible *.cedar blobs in name order, like the local policy dir', () => {
    expect(policyBlobs(parseLsTree(listing))).toEqual({
      blobs: [
        { name: 'b.cedar', object: OID },
        { name: 'team.cedar', object: OID },
        { name: 'with space\tand tab.cedar', object: OID },
      ],
    });
  });

  it('refuses a symlinked or oversized policy file rather than follow or cut it', () => {
    const entries = parseLsTree(
      [`120000 blob ${OID}      12\tlink.cedar`, `100644 blob ${OID} 2000000\tbig.cedar`].join('\0'),
    );
    expect(policyBlobs(entries)).toEqual({
      diagnostics: [
        {
          file: 'big.cedar',
          line: null,
          column: null,
          message: expect.stringContaining('2000000 bytes is more than'),
        },
        {
          file: 'link.cedar',
          line: null,
          column: null,
          message: 'is a symbolic link; policies must be regular files',
        },
      ],
    });
  });
});
