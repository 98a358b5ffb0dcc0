/**
 * Can this machine make the sandbox? bubblewrap must be installed and allowed to create user and
 * pid namespaces (some distributions restrict unprivileged user namespaces, e.g. Ubuntu's
 * AppArmor policy, or kernel.unprivileged_userns_clone=0). Tried for real with a trivial sandbox,
 * since only the kernel knows; `agentid doctor` and `exec --sandbox=auto` report the reason.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../paths.js';

export type SandboxSupport =
  | { available: true; bwrap: string; reason: string }
  | { available: false; bwrap: string | null; reason: string };

/** The first executable `name` on PATH, or null. */
export function onPath(name: string, env: Env): string | null {
  for (const dir of (env.PATH ?? '').split(':')) {
    if (!dir.startsWith('/')) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return null;
}

export function probeSandbox(env: Env, platform: NodeJS.Platform): SandboxSupport {
  if (platform !== 'linux') {
    return {
      available: false,
      bwrap: null,
      reason: `bubblewrap sandboxes are Linux-only; on ${platform} sessions are held by ancestry alone`,
    };
  }
  const bwrap = onPath('bwrap', env);
  if (bwrap === null) {
    return {
      available: false,
      bwrap,
      reason: 'bwrap is not on PATH: install bubblewrap (Debian/Ubuntu/Fedora package "bubblewrap")',
    };
  }
  const trial = spawnSync(
    bwrap,
    ['--unshare-user', '--unshare-pid', '--dev-bind', '/', '/', '--proc', '/proc', '--', 'true'],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000, encoding: 'utf8' },
  );
  if (trial.status !== 0) {
    const why = trial.error?.message ?? (trial.stderr.trim().split('\n')[0] || `exit status ${trial.status}`);
    return {
      available: false,
      bwrap,
      reason:
        `${bwrap} cannot create user and pid namespaces here (${why}); allow unprivileged user ` +
        'namespaces (e.g. sysctl kernel.unprivileged_userns_clone=1, or an AppArmor profile for bwrap)',
    };
  }
  return { available: true, bwrap, reason: `${bwrap} creates user and pid namespaces` };
}
