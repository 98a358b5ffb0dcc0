/** Public door of process attestation: what /proc says about the process behind a request. */
export { type Attestor, type AttestorOptions, type ConnectionMemo, createAttestor } from './attestor.js';
export { readExe } from './exe.js';
export { fileIdentity } from './file-identity.js';
export { parseGitConfigRemote } from './git-config.js';
export { processAlive } from './liveness.js';
export { parseStat } from './procfs.js';
export { allPids, processTree } from './tree.js';
export type { AncestorInfo, Attestation } from './types.js';
