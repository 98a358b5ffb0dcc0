import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { firstOutput, KOFFI, treeForOtherUid } from '../other-uid.js';
import { codeOf, git, isRoot, NOBODY, newAttestor, Scratch, startTimeOf } from './helpers.js';

const remote = 'https://example.com/x.git';
const scratch = new Scratch();
afterEach(() => scratch.cleanup());

describe('attestPid of a real process', () => {
  it('describes a child working in a git repository', async () => {
    const repo = realpathSync(scratch.dir());
    git(repo, 'init', '-q');
    git(repo, 'remote', 'add', 'origin', remote);
    const cwd = join(repo, 'sub', 'dir');
    mkdirSync(cwd, { recursive: true });
    const child = scratch.spawn('sleep', ['30'], { cwd });
    const pid = child.pid as number;

    const a = await newAttestor().attestPid(pid);

    expect(a).toMatchObject({
      pid,
      ppid: process.pid,
      uid: process.getuid?.(),
      gid: process.getgid?.(),
      exe: realpathSync('/usr/bin/sleep'),
      cmdline: ['sleep', '30'],
      cwd,
      startTime: startTimeOf(pid),
      repo: { root: repo, remote },
      script: null,
      sha256Skipped: null,
      pinnedBy: 'start-time',
    });
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(a.ancestors[0]).toEqual({
      pid: process.pid,
      startTime: startTimeOf(process.pid),
      exe: readlinkSync('/proc/self/exe'),
      cmdline: readFileSync('/proc/self/cmdline', 'utf8').split('\0').slice(0, -1),
    });
    expect(a.ancestors.at(-1)?.pid).toBe(1);
    for (const [i, ancestor] of a.ancestors.entries()) {
      // Parent first: each hop starts no later than the one before it.
      expect(ancestor.startTime).toBeLessThanOrEqual(
        i === 0 ? a.startTime : (a.ancestors[i - 1]?.startTime ?? 0),
      );
    }
  });

  it('names the uid and gid from the configured files', async () => {
    const dir = scratch.dir();
    const uid = process.getuid?.() as number;
    const gid = process.getgid?.() as number;
    writeFileSync(join(dir, 'passwd'), `someone:x:${uid}:${gid}::/:/bin/sh\n`);
    writeFileSync(join(dir, 'group'), `somegroup:x:${gid}:\n`);
    const attestor = newAttestor({ passwdFile: join(dir, 'passwd'), groupFile: join(dir, 'group') });
    expect(await attestor.attestPid(process.pid)).toMatchObject({ user: 'someone', group: 'somegroup' });
  });

  it('finds no repository outside one', async () => {
    const child = scratch.spawn('sleep', ['30'], { cwd: '/' });
    expect((await newAttestor().attestPid(child.pid as number)).repo).toBeNull();
  });

  it('sees the script a node agent runs, as weak evidence', async () => {
    const dir = realpathSync(scratch.dir());
    writeFileSync(join(dir, 'script.js'), 'setInterval(() => {}, 1000);\n');
    const child = scratch.spawn(process.execPath, ['script.js'], { cwd: dir });
    const a = await newAttestor().attestPid(child.pid as number);
    expect(a.script).toEqual({ interpreter: 'node', path: join(dir, 'script.js'), weak: true });
    expect(a.cmdline).toEqual([process.execPath, 'script.js']);
  });

  it('sees no script for inline code', async () => {
    const child = scratch.spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    expect((await newAttestor().attestPid(child.pid as number)).script).toBeNull();
  });

  it('fails with ERR_ATTEST_NO_SUCH_PROCESS for a pid that does not exist', async () => {
    const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
    const attestor = newAttestor();
    await expect(attestor.attestPid(pidMax + 1)).rejects.toThrow(codeOf('ERR_ATTEST_NO_SUCH_PROCESS'));
    for (const pid of [0, -1, 1.5, Number.NaN]) {
      await expect(attestor.attestPid(pid)).rejects.toThrow(codeOf('ERR_ATTEST_NO_SUCH_PROCESS'));
    }
  });

  it('fails with ERR_ATTEST_NO_SUCH_PROCESS for a process that exited', async () => {
    const child = scratch.spawn('true', []);
    await once(child, 'exit');
    await expect(newAttestor().attestPid(child.pid as number)).rejects.toThrow(
      codeOf('ERR_ATTEST_NO_SUCH_PROCESS'),
    );
  });

  it('refuses a thread id, which /proc also answers for', async () => {
    const tid = readdirSync('/proc/self/task')
      .map(Number)
      .find((t) => t !== process.pid);
    expect(tid).toBeDefined();
    await expect(newAttestor().attestPid(tid as number)).rejects.toThrow(
      expect.objectContaining({
        code: 'ERR_ATTEST_NO_SUCH_PROCESS',
        message: expect.stringContaining('thread'),
      }),
    );
  });

  // The daemon may not read a non-dumpable process of its own uid (nor another user's): denied.
  it.runIf(isRoot)('fails with ERR_ATTEST_UNREADABLE for a non-dumpable process', async () => {
    // koffi from a place uid 65534 can read, wherever this clone lives.
    const tree = treeForOtherUid(KOFFI);
    onTestFinished(tree.cleanup);
    const idle = (dumpable: boolean) =>
      scratch.spawn(
        process.execPath,
        [
          '-e',
          `${
            dumpable
              ? ''
              : `const prctl = require('koffi').load('libc.so.6')
             .func('int prctl(int, unsigned long, unsigned long, unsigned long, unsigned long)');
           if (prctl(4 /* PR_SET_DUMPABLE */, 0, 0, 0, 0) !== 0) process.exit(3);`
          }
           process.stdout.write('ready\\n');
           setInterval(() => {}, 1000);`,
        ],
        { cwd: tree.root, uid: NOBODY, gid: NOBODY, stdio: ['ignore', 'pipe', 'pipe'] },
      );
    const sealed = idle(false);
    const plain = idle(true);
    await Promise.all([
      firstOutput(sealed, 'the non-dumpable child'),
      firstOutput(plain, 'the dumpable child'),
    ]);
    const attestor = newAttestor();

    // Attest as that same user. The attestor opens all it reads before its first await.
    process.setegid?.(NOBODY);
    process.seteuid?.(NOBODY);
    let denied: Promise<unknown>;
    let allowed: Promise<unknown>;
    try {
      denied = attestor.attestPid(sealed.pid as number);
      allowed = attestor.attestPid(plain.pid as number);
    } finally {
      process.seteuid?.(0);
      process.setegid?.(0);
    }
    await expect(denied).rejects.toThrow(
      expect.objectContaining({
        code: 'ERR_ATTEST_UNREADABLE',
        message: expect.stringContaining('non-dumpable'),
      }),
    );
    await expect(allowed).resolves.toMatchObject({ pid: plain.pid, uid: NOBODY });
  });
});
