/**
 * Which command-line peers this machine has. A test that needs a missing one is skipped with the
 * reason printed, never passed (`describe.skipIf(missing('openssl') !== null)`).
 */
import { spawnSync } from 'node:child_process';

const probes: Record<string, [string, string[]]> = {
  openssl: ['openssl', ['version']],
  curl: ['curl', ['--version']],
  git: ['git', ['--version']],
  'python3-requests': ['python3', ['-c', 'import requests']],
};

const seen = new Map<string, string | null>();

/** null when the tool runs here; otherwise why not, printed once. */
export function missing(tool: keyof typeof probes): string | null {
  if (!seen.has(tool)) {
    const [command, args] = probes[tool] as [string, string[]];
    const result = spawnSync(command, args, { stdio: 'ignore' });
    const reason =
      result.status === 0 ? null : `${tool} is not installed (${command} ${args.join(' ')} failed)`;
    if (reason) console.warn(`skipping tests that need ${tool}: ${reason}`);
    seen.set(tool, reason);
  }
  return seen.get(tool) ?? null;
}
