import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bytesWaiting,
  deviceNumber,
  flock,
  getsockopt,
  LOCK_EX,
  LOCK_NB,
  LOCK_UN,
  linkAtOrNull,
  O_CLOEXEC,
  openAt,
  readLinkAt,
  statAt,
} from '../../src/native/libc.js';
import { socketFd } from '../../src/peer/index.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

// The holder must be another process; it binds flock itself since it cannot load our TypeScript.
const holderScript = `
const koffi = require('koffi');
const lib = koffi.load(process.platform === 'darwin' ? '/usr/lib/libSystem.B.dylib' : 'libc.so.6');
const flock = lib.func('int flock(int fd, int operation)');
if (flock(require('node:fs').openSync(process.argv[1], 'r+'), ${LOCK_EX | LOCK_NB}) !== 0) process.exit(3);
process.stdout.write('locked\\n');
setInterval(() => {}, 1 << 30);
`;

describe('flock', () => {
  let dir: string;
  let lockPath: string;
  const fds: number[] = [];
  const children: ChildProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentid-libc-'));
    lockPath = join(dir, 'daemon.lock');
    closeSync(openSync(lockPath, 'w'));
  });

  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const fd of fds.splice(0)) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  function open(): number {
    const fd = openSync(lockPath, 'r+');
    fds.push(fd);
    return fd;
  }

  it('refuses a second open file in the same process until the first unlocks', () => {
    const first = open();
    const second = open();
    expect(flock(first, LOCK_EX | LOCK_NB)).toBe(true);
    expect(flock(second, LOCK_EX | LOCK_NB)).toBe(false);
    expect(flock(first, LOCK_UN)).toBe(true);
    expect(flock(second, LOCK_EX | LOCK_NB)).toBe(true);
  });

  it('refuses while another process holds the lock, and grants it once the holder dies', async () => {
    const holder = spawn(process.execPath, ['-e', holderScript, lockPath], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(holder);
    const [line] = (await once(holder.stdout, 'data')) as [Buffer];
    expect(line.toString()).toBe('locked\n');

    const fd = open();
    expect(flock(fd, LOCK_EX | LOCK_NB)).toBe(false);

    holder.kill('SIGKILL');
    await once(holder, 'exit');
    expect(flock(fd, LOCK_EX | LOCK_NB)).toBe(true);
  });

  it('throws ERR_INTERNAL naming the errno for other failures', () => {
    expect(() => flock(-1, LOCK_EX | LOCK_NB)).toThrow(
      expect.objectContaining({ code: 'ERR_INTERNAL', message: 'flock: EBADF' }),
    );
  });
});

describe('getsockopt', () => {
  it('returns the errno name instead of throwing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentid-libc-'));
    const fd = openSync(join(dir, 'plain'), 'w');
    try {
      expect(getsockopt(fd, 1, 17, 12)).toEqual({ ok: false, errno: 'ENOTSOCK' });
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bytesWaiting', () => {
  it('counts what a peer sent that this process has not read yet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentid-fionread-'));
    const path = join(dir, 's.sock');
    // Counted inside the connection handler, before libuv gets a chance to read the socket; the
    // writer is another process, so its bytes arrive while this one waits.
    const counted = new Promise<number[]>((resolve) => {
      const server = createServer((socket) => {
        const fd = socketFd(socket);
        const seen = [bytesWaiting(fd)];
        const until = Date.now() + 5_000;
        while (bytesWaiting(fd) < 5 && Date.now() < until);
        seen.push(bytesWaiting(fd), socket.bytesRead);
        socket.destroy();
        server.close();
        resolve(seen);
      });
      server.listen(path);
    });
    await new Promise((r) => setTimeout(r, 50));
    const writer = spawn(process.execPath, [
      '-e',
      `const c = require('node:net').connect(${JSON.stringify(path)}, () => setTimeout(() => c.write('hello'), 200)); setTimeout(() => {}, 5000);`,
    ]);
    try {
      const [before, after, readByNode] = await counted;
      expect(before).toBe(0);
      expect(after).toBe(5);
      expect(readByNode).toBe(0);
    } finally {
      writer.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(process.platform === 'linux')('openAt / readLinkAt', () => {
  it('open and read names relative to an open directory, even after it is renamed; errors carry the errno name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentid-at-'));
    writeFileSync(join(dir, 'record'), 'one record\n');
    symlinkSync('/somewhere/else', join(dir, 'link'));
    const dirFd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    const moved = `${dir}-moved`;
    try {
      // Renamed: a path would now miss the files, the directory's fd still reaches them.
      renameSync(dir, moved);
      const fd = openAt(dirFd, 'record');
      try {
        const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
        expect(Number.parseInt(flags ?? '0', 8) & O_CLOEXEC).toBe(O_CLOEXEC);
        const buffer = Buffer.alloc(64);
        expect(buffer.toString('utf8', 0, readSync(fd, buffer))).toBe('one record\n');
      } finally {
        closeSync(fd);
      }
      expect(readLinkAt(dirFd, 'link')).toBe('/somewhere/else');
      expect(() => openAt(dirFd, 'missing')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
      expect(() => readLinkAt(dirFd, 'record')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      expect(linkAtOrNull(dirFd, 'missing')).toBeNull();
    } finally {
      closeSync(dirFd);
      rmSync(moved, { recursive: true, force: true });
    }
  });
});

describe.runIf(process.platform === 'linux')('statAt', () => {
  it('composes device numbers as glibc does, also for majors and minors past 8 bits', async () => {
    // glibc's own makedev, through the same FFI: the files here sit on majors and minors below 256.
    const koffi = (await import('koffi')).default;
    const makedev = koffi
      .load('libc.so.6')
      .func('uint64_t gnu_dev_makedev(unsigned int major, unsigned int minor)');
    for (const [major, minor] of [
      [0, 0],
      [254, 0],
      [0, 23],
      [8, 300],
      [259, 65_535],
      [5_000, 70_000],
      [0xfffff, 0xfffff],
    ] as const) {
      expect(deviceNumber(major, minor), `${major}:${minor}`).toBe(BigInt(makedev(major, minor)));
    }
  });

  const fields = (st: { dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }) => ({
    dev: st.dev,
    ino: st.ino,
    size: st.size,
    mtimeNs: st.mtimeNs,
    ctimeNs: st.ctimeNs,
  });

  it('gives what a statSync of the same file gives, across file systems and through /proc magic links', () => {
    // The root file system, /proc, /sys and a tmpfs each have their own device numbers; a
    // process's exe and ns/user links lead to a file elsewhere and to the namespace file system.
    const targets: [string, string][] = [
      ['/', 'etc/passwd'],
      ['/', 'proc/self/stat'],
      ['/', 'sys/kernel'],
      ['/', 'dev/shm'],
      ['/proc/self', 'exe'],
      ['/proc/self', 'ns/user'],
    ];
    for (const [dir, name] of targets) {
      const dirFd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
      try {
        const st = statAt(dirFd, name);
        expect(st, `${dir} ${name}`).not.toBeNull();
        expect(fields(st as NonNullable<typeof st>), `${dir} ${name}`).toEqual(
          fields(statSync(join(dir, name), { bigint: true })),
        );
      } finally {
        closeSync(dirFd);
      }
    }
  });

  it('sees a file change (size and times) and is null for what cannot be stat-ed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentid-statat-'));
    const dirFd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      writeFileSync(join(dir, 'file'), 'one');
      const before = statAt(dirFd, 'file');
      utimesSync(
        join(dir, 'file'),
        new Date('2001-02-03T04:05:06.789Z'),
        new Date('2001-02-03T04:05:06.789Z'),
      );
      writeFileSync(join(dir, 'file'), 'longer', { flag: 'a' });
      const after = statAt(dirFd, 'file');
      expect(after?.size).toBe(9n);
      expect(after?.size).not.toBe(before?.size);
      expect(fields(after as NonNullable<typeof after>)).toEqual(
        fields(statSync(join(dir, 'file'), { bigint: true })),
      );
      expect(statAt(dirFd, 'missing')).toBeNull();
      symlinkSync('missing', join(dir, 'dangling'));
      expect(statAt(dirFd, 'dangling')).toBeNull();
    } finally {
      closeSync(dirFd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
