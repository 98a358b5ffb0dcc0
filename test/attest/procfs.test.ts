import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStat } from '../../src/attest/index.js';
import {
  parseLayout,
  parseStatus,
  readKeptRecord,
  readProcRecord,
  splitCmdline,
} from '../../src/attest/procfs.js';
import { codeOf } from './helpers.js';

// Fields 5..21 of a real stat line, then start time (22) and a few more.
const middle = '4321 4321 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0';
const line = (pid: string, comm: string, state = 'S', ppid = '7', start = '98765') =>
  `${pid} (${comm}) ${state} ${ppid} ${middle} ${start} 2633728 135 18446744073709551615 1 1 0\n`;

describe('parseStat', () => {
  it.each([
    ['a plain comm', line('42', 'sleep'), { pid: 42, comm: 'sleep', state: 'S', ppid: 7, startTime: 98765 }],
    ['a comm with spaces', line('42', 'my agent'), { comm: 'my agent', ppid: 7, startTime: 98765 }],
    ['a comm with parentheses', line('42', 'a) b (c'), { comm: 'a) b (c', ppid: 7, startTime: 98765 }],
    ['a comm that mimics the fields', line('42', 'x) R 1 2 3'), { comm: 'x) R 1 2 3', state: 'S', ppid: 7 }],
    ['a comm ending in ")"', line('9', ':)'), { pid: 9, comm: ':)', ppid: 7 }],
    ['an empty comm', line('9', ''), { comm: '', ppid: 7 }],
    ['a zombie', line('9', 'z', 'Z', '1'), { state: 'Z', ppid: 1 }],
    ['pid 1, whose ppid is 0', line('1', 'init', 'S', '0', '1'), { pid: 1, ppid: 0, startTime: 1 }],
  ])('parses %s', (_name, text, expected) => {
    expect(parseStat(text)).toMatchObject(expected);
  });

  it.each([
    ['empty text', ''],
    ['no parentheses', '42 sleep S 7'],
    ['a line cut before the start time', '42 (sleep) S 7 1 2 3'],
    ['a non-numeric pid', line('x', 'sleep')],
    ['a non-numeric start time', line('42', 'sleep', 'S', '7', 'soon')],
    ['a two-letter state', line('42', 'sleep', 'SS')],
  ])('rejects %s as unreadable', (_name, text) => {
    expect(() => parseStat(text)).toThrow(codeOf('ERR_ATTEST_UNREADABLE'));
  });
});

describe('parseLayout', () => {
  // Field N holds "fN", from state (field 3) to exit_code (field 52).
  const fields = Array.from({ length: 50 }, (_, i) => `f${i + 3}`).join(' ');

  it('joins fields 26-28 and 45-51, counted after the last ")" of comm', () => {
    for (const comm of ['agent', 'x) f26 f27 (y', ') ) )']) {
      expect(parseLayout(`42 (${comm}) ${fields}\n`)).toBe('f26:f27:f28:f45:f46:f47:f48:f49:f50:f51');
    }
  });
});

describe('parseStatus', () => {
  const status =
    'Name:\tx\nTgid:\t12\nPid:\t13\nPPid:\t1\nUid:\t1000\t1001\t1002\t1003\nGid:\t50\t51\t52\t53\n';

  it('reads the thread group and the effective ids (the ones SO_PEERCRED reports)', () => {
    expect(parseStatus(status)).toEqual({ tgid: 12, uid: 1001, gid: 51 });
  });

  it('rejects a status without ids', () => {
    expect(() => parseStatus('Name:\tx\nTgid:\t12\n')).toThrow(codeOf('ERR_ATTEST_UNREADABLE'));
  });
});

describe('splitCmdline', () => {
  it.each([
    ['', []],
    ['node\0/tmp/x/script.js\0', ['node', '/tmp/x/script.js']],
    ['sh\0-c\0echo a  b\0', ['sh', '-c', 'echo a  b']],
    ['cmd\0\0', ['cmd', '']],
    ['rewritten title without a terminator', ['rewritten title without a terminator']],
  ])('splits %j', (text, expected) => {
    expect(splitCmdline(text)).toEqual(expected);
  });
});

describe('readProcRecord', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentid-procfs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads this process's own stat and status whole", () => {
    const stat = parseStat(readProcRecord(`/proc/${process.pid}/stat`));
    expect(stat).toMatchObject({ pid: process.pid, ppid: process.ppid });
    expect(parseStatus(readProcRecord(`/proc/${process.pid}/status`)).tgid).toBe(process.pid);
  });

  // A record that fills the read buffer (64 KiB) is not taken as complete: the rest is read too.
  it.each([
    ['shorter than the buffer', 100],
    ['exactly the buffer', 64 * 1024],
    ['longer than the buffer', 64 * 1024 * 3 + 17],
  ])('reads a file %s to its end', (_name, size) => {
    const file = join(dir, `record-${size}`);
    const text = `${'x'.repeat(size - 1)}\n`;
    writeFileSync(file, text);
    expect(readProcRecord(file)).toBe(text);
  });
});

describe('readKeptRecord', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentid-kept-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const openFds = () => readdirSync('/proc/self/fd').length;

  it("re-reads a live process's stat through one descriptor, and shows its exec", async () => {
    const child = spawn('sh', ['-c', 'read line; exec sleep 30'], { stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      const path = `/proc/${child.pid}/stat`;
      expect(parseStat(readKeptRecord(path)).comm).toBe('sh');
      const fds = openFds();
      child.stdin.write('\n');
      let comm = 'sh';
      for (let i = 0; i < 100 && comm === 'sh'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        comm = parseStat(readKeptRecord(path)).comm;
      }
      expect(comm).toBe('sleep');
      // Every read after the first went through the descriptor the first one opened.
      expect(openFds()).toBe(fds);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('fails once the process has exited and been reaped, rather than give its last stat', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const path = `/proc/${child.pid}/stat`;
    expect(parseStat(readKeptRecord(path)).pid).toBe(child.pid);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const fds = openFds();
    expect(() => readKeptRecord(path)).toThrow(codeOf('ENOENT'));
    // The dead process's descriptor was closed, not kept.
    expect(openFds()).toBe(fds - 1);
  });

  it('keeps at most 256 descriptors, closing the least recently read', () => {
    const fds = openFds();
    const files = Array.from({ length: 300 }, (_, i) => join(dir, `record-${i}`));
    for (const [i, file] of files.entries()) {
      writeFileSync(file, `record ${i}\n`);
      expect(readKeptRecord(file)).toBe(`record ${i}\n`);
    }
    expect(openFds() - fds).toBeLessThanOrEqual(256);
    expect(readKeptRecord(files[0] as string)).toBe('record 0\n');
  });
});
