import { describe, expect, it } from 'vitest';
import { parseGitConfigRemote } from '../../src/attest/index.js';

const url = 'https://example.com/x.git';

describe('parseGitConfigRemote', () => {
  it.each([
    [
      'what git init + git remote add write',
      `[core]\n\tbare = false\n[remote "origin"]\n\turl = ${url}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`,
      url,
    ],
    ['no remote at all', '[core]\n\tbare = false\n', null],
    ['an empty file', '', null],
    ['only another remote', `[remote "upstream"]\n\turl = ${url}\n`, null],
    [
      'origin after another remote',
      `[remote "upstream"]\n\turl = https://u/\n[remote "origin"]\n\turl = ${url}\n`,
      url,
    ],
    ['case-insensitive section and key names', `[REMOTE "origin"]\n\tURL = ${url}\n`, url],
    ['a case-sensitive subsection', `[remote "Origin"]\n\turl = ${url}\n`, null],
    ['the deprecated [remote.origin] form', `[remote.origin]\n\turl = ${url}\n`, url],
    ['the deprecated form, which lowercases', `[remote.ORIGIN]\n\turl = ${url}\n`, url],
    [
      'full-line comments',
      `# a comment\n; another\n[remote "origin"]\n# url = https://wrong/\n\turl = ${url}\n`,
      url,
    ],
    ['an inline comment', `[remote "origin"]\n\turl = ${url} # the fork\n`, url],
    ['an inline ; comment', `[remote "origin"]\n\turl = ${url};note\n`, url],
    ['a quoted value keeping # and ;', '[remote "origin"]\n\turl = "https://h/a#b;c"\n', 'https://h/a#b;c'],
    ['escapes in a quoted value', '[remote "origin"]\n\turl = "a\\"b\\\\c"\n', 'a"b\\c'],
    ['a line continuation', '[remote "origin"]\n\turl = https://h/\\\nrepo.git\n', 'https://h/repo.git'],
    ['no spaces around =', `[remote "origin"]\nurl=${url}\n`, url],
    ['trailing whitespace', `[remote "origin"]\n\turl = ${url}  \t\n`, url],
    ['inner whitespace', '[remote "origin"]\n\turl = /a b/c\n', '/a b/c'],
    ['CRLF line ends', `[remote "origin"]\r\n\turl = ${url}\r\n`, url],
    ['a key on the header line', `[remote "origin"] url = ${url}\n`, url],
    ['escapes in the subsection', `[remote "or\\igin"]\n\turl = ${url}\n`, url],
    ['a subsection with spaces', `[remote "my origin"]\n\turl = ${url}\n`, null],
    [
      'the first of several urls (the one git fetches)',
      `[remote "origin"]\n\turl = ${url}\n\turl = https://second/\n`,
      url,
    ],
    ['a url key without value', '[remote "origin"]\n\turl\n', null],
    ['an empty url', '[remote "origin"]\n\turl =\n', null],
    [
      'includes, which are not followed',
      `[include]\n\tpath = other\n[remote "origin"]\n\turl = ${url}\n`,
      url,
    ],
    ['a url under another section', `[branch "origin"]\n\turl = ${url}\n`, null],
    ['a url before any section', `url = ${url}\n`, null],
    ['a key before any section, which git accepts', `foo = x\n[remote "origin"]\n\turl = ${url}\n`, url],
    ['a pushurl only', `[remote "origin"]\n\tpushurl = ${url}\n`, null],
  ])('%s', (_name, text, expected) => {
    expect(parseGitConfigRemote(text)).toBe(expected);
  });

  it('reads another remote by name', () => {
    const text = `[remote "origin"]\n\turl = https://o/\n[remote "upstream"]\n\turl = ${url}\n`;
    expect(parseGitConfigRemote(text, 'upstream')).toBe(url);
  });

  it.each([
    ['an unterminated section header', `[remote "origin"\n\turl = ${url}\n`],
    ['an unterminated subsection', `[remote "origin]\n\turl = ${url}\n`],
    ['a bad escape', '[remote "origin"]\n\turl = a\\qb\n'],
    ['an unterminated quote', '[remote "origin"]\n\turl = "abc\n'],
    ['garbage after a key', '[remote "origin"]\n\turl ! x\n'],
    ['garbage after a good url', `[remote "origin"]\n\turl = ${url}\n{oops\n`],
  ])('yields null, as git refuses the file, for %s', (_name, text) => {
    expect(parseGitConfigRemote(text)).toBeNull();
  });
});
