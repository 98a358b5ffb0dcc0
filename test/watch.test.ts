/** watchPath on the real file system: a file whose directory does not exist yet, then appears. */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchPath } from '../src/watch.js';

describe('watchPath', () => {
  const root = mkdtempSync(join(tmpdir(), 'agentid-watch-'));
  let stop = () => {};
  afterEach(() => {
    stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('sees a file appear in a directory created later, and an editor-style rename over it', async () => {
    const file = join(root, 'config', 'agentid', 'config.toml');
    let calls = 0;
    stop = watchPath(file, 30, () => {
      calls++;
    }).close;
    const settle = async (atLeast: number) => {
      const deadline = Date.now() + 5000;
      while (calls < atLeast && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return calls;
    };
    mkdirSync(join(root, 'config'));
    // The watch moves down as the directories appear: each step re-arms it.
    await settle(1);
    mkdirSync(join(root, 'config', 'agentid'));
    await settle(2);
    const before = calls;
    writeFileSync(file, 'a');
    expect(await settle(before + 1)).toBeGreaterThan(before);
    const renamed = calls;
    writeFileSync(join(root, 'config', 'agentid', '.config.toml.tmp'), 'b');
    renameSync(join(root, 'config', 'agentid', '.config.toml.tmp'), file);
    expect(await settle(renamed + 1)).toBeGreaterThan(renamed);
  });
});
