/**
 * Hot reload in process, on the real file system: the watcher sees the policy dir appear, an
 * editor-style rename-write, and a broken file, each reported once the burst settles.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReloadResult } from '../../src/policy/index.js';
import { makePolicyHome, type PolicyHome } from './helpers.js';

describe('PolicyEngine.watch', () => {
  let home: PolicyHome;
  let results: ReloadResult[];
  let stop: () => void;
  beforeEach(() => {
    home = makePolicyHome();
    results = [];
  });
  afterEach(() => {
    stop();
    home.cleanup();
  });

  const next = async (count: number) => {
    const deadline = Date.now() + 5000;
    while (results.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${results.length} reloads reported`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return results[count - 1] as ReloadResult;
  };

  it('reloads when the dir appears, on a rename-write, and reports a broken file without applying it', async () => {
    const engine = home.engine();
    stop = engine.watch((r) => results.push(r), 30).close;
    expect(engine.status().source).toBe('default');

    mkdirSync(home.dir);
    writeFileSync(join(home.dir, 'a.cedar'), 'forbid (principal, action, resource);');
    const created = await next(1);
    expect(created.ok && created.status).toMatchObject({ source: 'dir', files: ['a.cedar'], policyCount: 1 });

    writeFileSync(
      join(home.dir, '.a.cedar.swp'),
      'permit (principal, action, resource);\nforbid (principal, action, resource);',
    );
    renameSync(join(home.dir, '.a.cedar.swp'), join(home.dir, 'a.cedar'));
    const renamed = await next(2);
    expect(renamed.ok && renamed.status.policyCount).toBe(2);

    writeFileSync(join(home.dir, 'a.cedar'), 'permit (principal, action, resource) when { context.nope };');
    const broken = await next(3);
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error.message).toContain('a.cedar:1:');
    expect(engine.status()).toMatchObject({
      policyCount: 2,
      lastError: { diagnostics: [{ file: 'a.cedar' }] },
    });

    rmSync(home.dir, { recursive: true });
    const removed = await next(4);
    expect(removed.ok && removed.status).toMatchObject({ source: 'default', lastError: null });
  });
});
