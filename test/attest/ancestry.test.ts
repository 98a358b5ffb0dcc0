import { mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAttestor } from '../../src/attest/index.js';
import { codeOf, MAX_HASH_BYTES, Scratch } from './helpers.js';

// A fake /proc tree (our own seam) for walks no real process tree can be made to show.
interface FakeProcess {
  pid: number;
  ppid: number;
  start: number;
  comm?: string;
  exe?: string | null;
  state?: string;
}

const scratch = new Scratch();
afterEach(() => scratch.cleanup());

/**
 * Writes the files in place when the process is there already (its exec), as /proc shows a live
 * process's new state through descriptors opened before: the walk keeps each ancestor's stat open.
 */
function writeProcess(root: string, p: FakeProcess): void {
  const dir = join(root, String(p.pid));
  mkdirSync(dir, { recursive: true });
  for (const link of ['exe', 'cwd']) rmSync(join(dir, link), { force: true });
  const comm = p.comm ?? `p${p.pid}`;
  const middle = '0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0';
  writeFileSync(
    join(dir, 'stat'),
    `${p.pid} (${comm}) ${p.state ?? 'S'} ${p.ppid} ${middle} ${p.start} 0 0\n`,
  );
  writeFileSync(join(dir, 'status'), `Name:\t${comm}\nTgid:\t${p.pid}\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n`);
  writeFileSync(join(dir, 'cmdline'), `${comm}\0--flag\0`);
  if (p.exe !== null) symlinkSync(p.exe ?? `/usr/bin/${comm}`, join(dir, 'exe'));
  symlinkSync('/', join(dir, 'cwd'));
}

function fakeProc(processes: FakeProcess[]): string {
  const root = scratch.dir();
  for (const p of processes) writeProcess(root, p);
  return root;
}

function attestorFor(procRoot: string) {
  return createAttestor({ procRoot, maxHashBytes: MAX_HASH_BYTES });
}

const fileId = (path: string) => {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.dev}:${st.ino}`;
  } catch {
    return null;
  }
};

const pids = (a: { ancestors: { pid: number }[] }) => a.ancestors.map((x) => x.pid);

describe('ancestry walk', () => {
  it('goes parent first up to pid 1; an ancestor without a readable exe gets exe null', async () => {
    const root = fakeProc([
      { pid: 100, ppid: 50, start: 400, exe: '/usr/bin/sleep' },
      { pid: 50, ppid: 10, start: 300, comm: 'bash' },
      { pid: 10, ppid: 1, start: 200, exe: null },
      { pid: 1, ppid: 0, start: 1, comm: 'init' },
    ]);
    const a = await attestorFor(root).attestPid(100);
    // exeFile: the fake exe links point at paths that may not exist here; only the shape matters.
    expect(a.ancestors).toEqual([
      {
        pid: 50,
        startTime: 300,
        exe: '/usr/bin/bash',
        exeFile: fileId('/usr/bin/bash'),
        cmdline: ['bash', '--flag'],
      },
      { pid: 10, startTime: 200, exe: null, exeFile: null, cmdline: ['p10', '--flag'] },
      {
        pid: 1,
        startTime: 1,
        exe: '/usr/bin/init',
        exeFile: fileId('/usr/bin/init'),
        cmdline: ['init', '--flag'],
      },
    ]);
  });

  it('stops on a cycle', async () => {
    const root = fakeProc([
      { pid: 200, ppid: 201, start: 5 },
      { pid: 201, ppid: 202, start: 5 },
      { pid: 202, ppid: 201, start: 5 },
    ]);
    expect(pids(await attestorFor(root).attestPid(200))).toEqual([201, 202]);
  });

  it('stops after 64 hops', async () => {
    const chain = Array.from({ length: 80 }, (_, i) => ({ pid: 1000 + i, ppid: 1001 + i, start: 1000 - i }));
    const a = await attestorFor(fakeProc(chain)).attestPid(1000);
    expect(a.ancestors).toHaveLength(64);
    expect(a.ancestors.at(-1)?.pid).toBe(1064);
  });

  it('stops at a "parent" that started after its child: its pid was reused during the walk', async () => {
    const root = fakeProc([
      { pid: 300, ppid: 301, start: 500 },
      { pid: 301, ppid: 302, start: 400 },
      { pid: 302, ppid: 1, start: 450 },
      { pid: 1, ppid: 0, start: 1 },
    ]);
    expect(pids(await attestorFor(root).attestPid(300))).toEqual([301]);
  });

  it('stops where /proc has no parent', async () => {
    const root = fakeProc([{ pid: 400, ppid: 401, start: 9 }]);
    expect(pids(await attestorFor(root).attestPid(400))).toEqual([]);
  });

  it('reuses cached ancestors, but sees an ancestor that exec()ed (its comm changed)', async () => {
    const root = fakeProc([
      { pid: 500, ppid: 501, start: 9 },
      { pid: 501, ppid: 0, start: 8, comm: 'bash' },
    ]);
    const attestor = attestorFor(root);
    expect((await attestor.attestPid(500)).ancestors[0]?.exe).toBe('/usr/bin/bash');
    // Same pid and start time, new program: execve keeps both.
    writeProcess(root, { pid: 501, ppid: 0, start: 8, comm: 'claude' });
    expect((await attestor.attestPid(500)).ancestors[0]).toMatchObject({
      exe: '/usr/bin/claude',
      cmdline: ['claude', '--flag'],
    });
  });

  it('hands out copies, so a caller cannot change the cache', async () => {
    const root = fakeProc([
      { pid: 600, ppid: 601, start: 9 },
      { pid: 601, ppid: 0, start: 8 },
    ]);
    const attestor = attestorFor(root);
    (await attestor.attestPid(600)).ancestors[0]?.cmdline.push('tampered');
    expect((await attestor.attestPid(600)).ancestors[0]?.cmdline).toEqual(['p601', '--flag']);
  });

  it('treats a zombie as gone', async () => {
    const root = fakeProc([{ pid: 700, ppid: 1, start: 9, state: 'Z' }]);
    await expect(attestorFor(root).attestPid(700)).rejects.toThrow(codeOf('ERR_ATTEST_NO_SUCH_PROCESS'));
  });
});
