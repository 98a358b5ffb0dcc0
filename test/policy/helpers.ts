/** A policy dir in a temp folder and an engine over it, the way the daemon builds one. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyEngine } from '../../src/policy/index.js';

export const UID = 4242;
export const NOW = new Date('2025-06-01T12:00:00Z');

export interface PolicyHome {
  /** The policy dir (not created until files are written). */
  dir: string;
  write(files: Record<string, string>): void;
  engine(): PolicyEngine;
  cleanup(): void;
}

export function makePolicyHome(): PolicyHome {
  const root = mkdtempSync(join(tmpdir(), 'agentid-policy-'));
  const dir = join(root, 'policy');
  return {
    dir,
    write(files) {
      mkdirSync(dir, { recursive: true });
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    },
    // The files are the test runner's: that is who must own them.
    engine: () => new PolicyEngine({ dir, uid: UID, owner: process.getuid?.() ?? UID, now: () => NOW }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
