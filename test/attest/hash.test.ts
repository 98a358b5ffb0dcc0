import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  realpathSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHashCache, type Digest, digestFd } from '../../src/attest/hash-cache.js';
import { newAttestor, Scratch, sha256File } from './helpers.js';

const scratch = new Scratch();
afterEach(() => scratch.cleanup());

const sleepBin = realpathSync('/usr/bin/sleep');
const catBin = realpathSync('/usr/bin/cat');

function counting(): { digest: Digest; count: () => number } {
  let n = 0;
  return {
    digest: (fd, max) => {
      n++;
      return digestFd(fd, max);
    },
    count: () => n,
  };
}

/** A private copy of `bin` at dir/prog, started with args; cat idles on its open stdin pipe. */
function startCopy(dir: string, bin: string, args: string[]) {
  const prog = join(dir, 'prog');
  copyFileSync(bin, prog);
  chmodSync(prog, 0o755);
  return scratch.spawn(prog, args, { stdio: ['pipe', 'ignore', 'inherit'] });
}

describe('executable sha256', () => {
  it('hashes the running inode, not whatever the path names now', async () => {
    const dir = realpathSync(scratch.dir());
    const prog = join(dir, 'prog');
    const before = startCopy(dir, sleepBin, ['30']);
    const attestor = newAttestor();

    const first = await attestor.attestPid(before.pid as number);
    expect(first).toMatchObject({ exe: prog, sha256: sha256File(sleepBin), sha256Skipped: null });

    // A running binary cannot be rewritten in place (ETXTBSY); replacing it means a new inode.
    unlinkSync(prog);
    const after = startCopy(dir, catBin, []);
    expect(await attestor.attestPid(after.pid as number)).toMatchObject({
      exe: prog,
      sha256: sha256File(catBin),
    });

    const old = await attestor.attestPid(before.pid as number);
    expect(old).toMatchObject({ exe: `${prog} (deleted)`, sha256: sha256File(sleepBin) });
    expect(sha256File(catBin)).not.toBe(sha256File(sleepBin));
  });

  it('hashes a warm executable only once', async () => {
    const dir = scratch.dir();
    const child = startCopy(dir, sleepBin, ['30']);
    const { digest, count } = counting();
    const attestor = newAttestor({ digest });
    const a = await attestor.attestPid(child.pid as number);
    const b = await attestor.attestPid(child.pid as number);
    expect(b.sha256).toBe(a.sha256);
    expect(count()).toBe(1);
  });

  it('shares one digest between concurrent attestations of the same file', async () => {
    const dir = scratch.dir();
    const one = startCopy(dir, sleepBin, ['30']);
    const two = scratch.spawn(join(dir, 'prog'), ['31']);
    const { digest, count } = counting();
    const attestor = newAttestor({ digest });
    const results = await Promise.all([one, two, one].map((c) => attestor.attestPid(c.pid as number)));
    expect(new Set(results.map((r) => r.sha256))).toEqual(new Set([sha256File(sleepBin)]));
    expect(count()).toBe(1);
  });

  it('skips executables over the cap, saying why', async () => {
    const child = scratch.spawn('sleep', ['30']);
    const { digest, count } = counting();
    const a = await newAttestor({ maxHashBytes: 1024, digest }).attestPid(child.pid as number);
    expect(a.sha256).toBeNull();
    expect(a.sha256Skipped).toMatch(/^executable is \d+ bytes, over the 1024-byte hash cap/);
    expect(count()).toBe(0);
  });

  it('reports, rather than fails, a digest that could not be read', async () => {
    const child = scratch.spawn('sleep', ['30']);
    const failing: Digest = () => Promise.reject(Object.assign(new Error('boom'), { code: 'EIO' }));
    const a = await newAttestor({ digest: failing }).attestPid(child.pid as number);
    expect(a).toMatchObject({ sha256: null, sha256Skipped: 'executable could not be read (EIO)' });
  });
});

describe('hash cache keys', () => {
  it('sees a same-size rewrite even when the mtime is set back (ctime is in the key)', async () => {
    const file = join(scratch.dir(), 'bin');
    writeFileSync(file, 'version one');
    const hashes = createHashCache(1024);
    expect((await hashes.hash(file)).sha256).toBe(sha256File(file));
    // touch -r copies timestamps to the nanosecond, which utimes from Node cannot.
    const saved = join(scratch.dir(), 'times');
    writeFileSync(saved, '');
    execFileSync('touch', ['-r', file, saved]);
    const before = statSync(file, { bigint: true });
    writeFileSync(file, 'version two');
    execFileSync('touch', ['-r', saved, file]);
    const after = statSync(file, { bigint: true });
    expect([after.ino, after.size, after.mtimeNs]).toEqual([before.ino, before.size, before.mtimeNs]);
    expect((await hashes.hash(file)).sha256).toBe(sha256File(file));
  });

  it('keeps no digest of a file that changed while it was hashed', async () => {
    const file = join(scratch.dir(), 'bin');
    writeFileSync(file, 'content');
    let grow = true;
    const hashes = createHashCache(1024, (fd, max) => {
      if (grow) appendFileSync(file, ' more');
      return digestFd(fd, max);
    });
    expect(await hashes.hash(file)).toEqual({
      sha256: null,
      skipped: 'executable changed while it was being hashed',
    });
    grow = false;
    expect((await hashes.hash(file)).sha256).toBe(sha256File(file));
  });
});
