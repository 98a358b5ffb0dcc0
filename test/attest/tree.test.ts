import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStat, processTree } from '../../src/attest/index.js';

const startTime = (pid: number) => parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).startTime;

describe.runIf(process.platform === 'linux')('processTree on the real /proc', () => {
  it('lists a root, its child and grandchild, and nothing else; nothing for a root that is not the same process', async () => {
    // The child starts a grandchild and prints its pid.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const g = require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
         console.log(g.pid); setTimeout(() => {}, 10000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const grandchild = await new Promise<number>((resolve) =>
        child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
      );
      const root = child.pid ?? 0;
      const tree = processTree('/proc', root, startTime(root));
      expect(tree).toEqual([root, grandchild]);
      expect(tree).not.toContain(process.pid);
      expect(processTree('/proc', root, startTime(root) + 1)).toEqual([]);
      expect(processTree('/proc', process.pid, startTime(process.pid))).toEqual(
        expect.arrayContaining([process.pid, root, grandchild]),
      );
    } finally {
      child.kill('SIGKILL');
    }
  });
});
