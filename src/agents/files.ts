/**
 * The files that exe and ancestor_exe selectors name, as the daemon sees them now (device and
 * inode): a process matches only if it runs that very file, not merely something at that path in
 * its own mount namespace. Stat'ed per request (one stat per such selector), so a replaced binary
 * is seen at once.
 */
import { fileIdentity } from '../attest/index.js';
import type { AgentDefinition } from './definitions.js';

export function selectorFiles(
  definitions: readonly AgentDefinition[],
  identify: (path: string) => string | null = fileIdentity,
): Map<string, string | null> {
  const files = new Map<string, string | null>();
  for (const definition of definitions) {
    for (const s of definition.selectors) {
      if ((s.kind === 'exe' || s.kind === 'ancestor_exe') && !files.has(s.value)) {
        files.set(s.value, identify(s.value));
      }
    }
  }
  return files;
}
