/**
 * Selector kinds: how each is read from config, how much it says about a process (its weight),
 * whether it matches an attestation, and when two selectors of a kind can never both match.
 * Everything here is pure; the attestor has already done the I/O.
 */
import { posix } from 'node:path';
import type { Attestation } from '../attest/index.js';
import { AgentIdError } from '../errors.js';
import { compileGlob, type Glob, type GlobResult, globsDisjoint, matchGlob } from './glob.js';

export type Selector =
  | { kind: 'uid'; value: number }
  | { kind: 'exe'; value: string }
  | { kind: 'sha256'; value: string }
  | { kind: 'ancestor_exe'; value: string }
  | { kind: 'cmdline'; glob: string }
  | { kind: 'cwd'; prefix: string }
  | { kind: 'repo'; glob: string }
  | { kind: 'session'; value: string };

export type SelectorKind = Selector['kind'];

export interface MatchSubject {
  attestation: Pick<Attestation, 'uid' | 'exe' | 'sha256' | 'cmdline' | 'cwd' | 'repo' | 'ancestors'>;
  /** The `agentid exec` session the caller belongs to, if any. */
  session: { id: string; agent: string | null } | null;
}

/**
 * What a matching selector says about the process; a definition's specificity is the sum over
 * its selectors. The hash of the running inode is the strongest (kernel-backed, names the code
 * itself); the exe path names the binary but not its content; an ancestor's exe says who started
 * the process, not what it is; repo, cwd and the session's declared name describe the context;
 * the cmdline is weak (a process can rewrite its own argv); uid is nearly no evidence (the daemon
 * only serves its own uid). The key order is the order of selector kinds in `matched` and reasons.
 */
export const selectorWeights = {
  sha256: 100,
  exe: 50,
  ancestor_exe: 30,
  repo: 20,
  cwd: 20,
  session: 20,
  cmdline: 10,
  uid: 5,
} as const satisfies Record<SelectorKind, number>;

export const selectorKinds = Object.keys(selectorWeights) as SelectorKind[];

export function isSelectorKind(key: string): key is SelectorKind {
  return Object.hasOwn(selectorWeights, key);
}

const agentNamePattern = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Agent names as config tables and `agentid exec --agent` spell them; `unknown` is taken. */
export function isAgentName(name: string): boolean {
  return agentNamePattern.test(name) && name !== 'unknown';
}

export const agentNameRule =
  'use 1-64 characters of a-z, 0-9, ".", "_" and "-", starting with a letter or a digit';

/** For the name a session declares (`agentid exec --agent`): refused before it is ever stored. */
export function validateAgentName(name: string): void {
  if (name === 'unknown') {
    throw new AgentIdError(
      'ERR_SESSION_INVALID',
      'agent name "unknown" is reserved for callers that match no agent',
    );
  }
  if (!isAgentName(name)) {
    throw new AgentIdError(
      'ERR_SESSION_INVALID',
      `invalid agent name ${JSON.stringify(name)}: ${agentNameRule}`,
    );
  }
}

const maxUid = 4_294_967_294; // (uid_t)-1 is "no uid" to the kernel

/** The selector a config key and value spell, or why they do not (a message naming the key). */
export function parseSelector(kind: SelectorKind, value: unknown): Selector | { error: string } {
  switch (kind) {
    case 'uid':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > maxUid) {
        return { error: `uid must be an integer between 0 and ${maxUid}` };
      }
      return { kind, value };
    case 'exe':
    case 'ancestor_exe': {
      const path = parsePath(kind, value, false);
      return typeof path === 'string' ? { kind, value: path } : path;
    }
    case 'cwd': {
      const path = parsePath(kind, value, true);
      return typeof path === 'string' ? { kind, prefix: path } : path;
    }
    case 'sha256':
      if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) {
        return { error: 'sha256 must be 64 lowercase hex characters' };
      }
      return { kind, value };
    case 'cmdline':
    case 'repo': {
      if (typeof value !== 'string' || value === '') {
        return { error: `${kind} must be a non-empty glob string` };
      }
      const compiled = compileSelectorGlob(kind, value);
      return compiled.ok
        ? { kind, glob: value }
        : { error: `${kind}: bad glob ${JSON.stringify(value)}: ${compiled.error}` };
    }
    case 'session':
      if (typeof value !== 'string' || !isAgentName(value)) {
        return { error: `session must be an agent name as given to agentid exec --agent: ${agentNameRule}` };
      }
      return { kind, value };
  }
}

/**
 * /proc reports canonical absolute paths, so a path that is not canonical could never match:
 * refuse it at load instead. A cwd prefix may end in `/`, which is dropped.
 */
function parsePath(key: string, value: unknown, trailingSlash: boolean): string | { error: string } {
  if (typeof value !== 'string') return { error: `${key} must be a string (an absolute path)` };
  const path = trailingSlash && value.length > 1 && value.endsWith('/') ? value.slice(0, -1) : value;
  if (!path.startsWith('/') || posix.normalize(path) !== path || (path.endsWith('/') && path !== '/')) {
    return {
      error: `${key} must be an absolute path without ".", ".." or empty segments (got ${JSON.stringify(value)})`,
    };
  }
  return path;
}

/** `repo` globs treat `/` as a separator (URLs); `cmdline` globs do not (argv is full of paths). */
function compileSelectorGlob(kind: 'cmdline' | 'repo', pattern: string): GlobResult {
  return compileGlob(pattern, { pathSeparators: kind === 'repo' });
}

function globOf(selector: { kind: 'cmdline' | 'repo'; glob: string }): Glob | null {
  const compiled = compileSelectorGlob(selector.kind, selector.glob);
  return compiled.ok ? compiled.glob : null;
}

export function selectorMatches(selector: Selector, subject: MatchSubject): boolean {
  const { attestation } = subject;
  switch (selector.kind) {
    case 'uid':
      return attestation.uid === selector.value;
    case 'exe':
      return attestation.exe === selector.value;
    case 'sha256':
      return attestation.sha256 === selector.value;
    case 'ancestor_exe':
      return attestation.ancestors.some((ancestor) => ancestor.exe === selector.value);
    case 'cwd':
      return attestation.cwd !== null && pathWithin(attestation.cwd, selector.prefix);
    case 'session':
      return subject.session?.agent === selector.value;
    case 'cmdline': {
      const glob = globOf(selector);
      return glob !== null && matchGlob(glob, attestation.cmdline.join(' '));
    }
    case 'repo': {
      const remote = attestation.repo?.remote ?? null;
      const glob = globOf(selector);
      return remote !== null && glob !== null && matchGlob(glob, remote);
    }
  }
}

/** `path` is `prefix` or lies below it: `/work/a` is within `/work`, `/workshop` is not. */
function pathWithin(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix === '/' ? '/' : `${prefix}/`);
}

/**
 * True only when no process can match both selectors. Sound, not complete: false means "may
 * both match". Different ancestor_exe values are not disjoint (a process has many ancestors).
 */
export function selectorsDisjoint(a: Selector, b: Selector): boolean {
  switch (a.kind) {
    case 'uid':
    case 'exe':
    case 'sha256':
    case 'session':
      return b.kind === a.kind && b.value !== a.value;
    case 'cwd':
      return b.kind === 'cwd' && !pathWithin(a.prefix, b.prefix) && !pathWithin(b.prefix, a.prefix);
    case 'cmdline':
    case 'repo': {
      if (b.kind !== a.kind) return false;
      const [globA, globB] = [globOf(a), globOf(b)];
      return globA !== null && globB !== null && globsDisjoint(globA, globB);
    }
    case 'ancestor_exe':
      return false;
  }
}
