/**
 * For tests that run a process as another uid (65534): that uid cannot read this clone when it
 * lives in a private directory (a 0700 home, a `mktemp -d`), so what the process needs (dist/,
 * node_modules/koffi, ...) is copied into a directory every uid can traverse — hard links where
 * the filesystem allows, which is instant — and the process runs from there, or from `/`. And a
 * child that dies before it is ready fails the test at once, with its status and stderr, instead
 * of leaving the test to wait out its timeout.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const NOBODY = 65534;

/** koffi and its prebuilt native module (an optional dependency of its own). */
export const KOFFI = ['node_modules/koffi', 'node_modules/@koromix'] as const;

/** Every directory on the way to `path` can be entered by others (o+x). */
function traversableByOthers(path: string): boolean {
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    try {
      if ((statSync(dir).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (dirname(dir) === dir) return true;
  }
}

/** A fresh directory (0755) that other uids can reach: in TMPDIR when they can traverse it, else /tmp. */
export function dirForOtherUid(prefix: string): string {
  const base = traversableByOthers(tmpdir()) ? tmpdir() : '/tmp';
  if (!traversableByOthers(base)) throw new Error(`no directory other uids can reach (${base})`);
  const dir = mkdtempSync(join(base, prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/**
 * A copy of `parts` (paths relative to this clone's root, e.g. `dist`, `node_modules/koffi`,
 * `package.json`) under a fresh directory other uids can read; `cleanup` removes it.
 */
export function treeForOtherUid(parts: readonly string[]): { root: string; cleanup(): void } {
  const root = dirForOtherUid('agentid-other-uid-');
  const copy = (flags: string) =>
    spawnSync('cp', [flags, '--parents', ...parts, root], { cwd: resolve('.') }).status === 0;
  // Hard links fail across filesystems: then a real copy, into an emptied root.
  if (!copy('-al')) {
    for (const entry of readdirSync(root)) rmSync(join(root, entry), { recursive: true, force: true });
    if (!copy('-a')) throw new Error(`could not copy ${parts.join(', ')} for another uid`);
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Resolves with the child's first stdout chunk; rejects at once if it exits or fails to start first. */
export function firstOutput(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      reject(
        new Error(`${what} exited (${signal ?? `status ${code}`}) before it was ready: ${stderr.trim()}`),
      );
    child.once('error', reject);
    child.once('exit', onExit);
    child.stdout?.once('data', (chunk: Buffer) => {
      child.off('exit', onExit);
      resolvePromise(chunk.toString());
    });
  });
}
