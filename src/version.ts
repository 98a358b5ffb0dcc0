/**
 * The package version, read from package.json next to wherever this file runs from (source under
 * vitest, dist/ when built), so it is never written down twice.
 */

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// node:fs without its ES facade, which loads node:stream: docs/architecture.md, start-up.
const { existsSync, readFileSync } = process.getBuiltinModule('node:fs');

function readVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'agentid' && pkg.version) return pkg.version;
    }
    const parent = dirname(dir);
    if (parent === dir) return '0.0.0-unknown';
    dir = parent;
  }
}

export const version = readVersion();
