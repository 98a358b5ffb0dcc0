import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNameLookup, parseIdNames } from '../../src/attest/users.js';
import { Scratch } from './helpers.js';

const scratch = new Scratch();
afterEach(() => scratch.cleanup());

describe('uid and gid names', () => {
  it('parses passwd and group lines; the first line for an id wins', () => {
    const text =
      'root:x:0:0:root:/root:/bin/bash\n# comment\n\nalice:x:1000:1000::/home/alice:/bin/sh\n' +
      'alias:x:1000:1000::/:/bin/sh\nbroken\nodd:x:notanumber:1\n';
    expect(parseIdNames(text)).toEqual(
      new Map([
        [0, 'root'],
        [1000, 'alice'],
      ]),
    );
    expect(parseIdNames('staff:x:50:alice,bob\n').get(50)).toBe('staff');
  });

  it('reads the file once and again only after it changed', () => {
    const file = join(scratch.dir(), 'passwd');
    writeFileSync(file, 'alice:x:1000:1000::/:/bin/sh\n');
    const name = createNameLookup(file);
    expect(name(1000)).toBe('alice');
    expect(name(1001)).toBeNull();
    writeFileSync(file, 'alice:x:1000:1000::/:/bin/sh\nbob:x:1001:1001::/:/bin/sh\n');
    expect(name(1001)).toBe('bob');
  });

  it('names nothing when the file is missing', () => {
    expect(createNameLookup(join(scratch.dir(), 'none'))(0)).toBeNull();
  });
});
