/**
 * `[policy]`: where the policy set comes from. By default it is the files of the policy dir; with
 * `git = "<url>"` it is the `*.cedar` files under `path` at `ref` of a team's repository, fetched
 * by the daemon, and the local files count only with `local = "merge"`. Every value that reaches a
 * git command line is checked here, so no config value can become a git option or a transport that
 * runs commands (`ext::`).
 */
import { isAbsolute } from 'node:path';
import { AgentIdError } from '../errors.js';

export interface PolicyGitConfig {
  /** As written in config.toml; may hold credentials, so it is shown only through redactUrl. */
  url: string;
  /** Branch, tag or full ref name on the remote. */
  ref: string;
  /** Directory in the repository holding the `*.cedar` files; '' for its root. */
  path: string;
  intervalMs: number;
  /** `git verify-commit` against this allowed-signers file (SSH signatures); null: no check. */
  allowedSigners: string | null;
  /** Bound on each git command. */
  timeoutMs: number;
}

export interface PolicyConfig {
  git: PolicyGitConfig | null;
  /** With git: whether the policy dir's files are added to the repository's set. */
  local: 'ignore' | 'merge';
}

const SECOND = 1000;
const UNITS: Readonly<Record<string, number>> = { s: SECOND, m: 60 * SECOND, h: 3600 * SECOND };
const MIN_INTERVAL_MS = SECOND;
const MAX_INTERVAL_MS = 24 * 3600 * SECOND;

export function defaultPolicyConfig(): PolicyConfig {
  return { git: null, local: 'ignore' };
}

export function parsePolicyConfig(table: Record<string, unknown>, source: string): PolicyConfig {
  const fail = (message: string): never => {
    throw new AgentIdError('ERR_CONFIG_INVALID', `${source}: [policy] ${message}`);
  };
  const config = defaultPolicyConfig();
  const git: PolicyGitConfig = {
    url: '',
    ref: 'main',
    path: '',
    intervalMs: 300 * SECOND,
    allowedSigners: null,
    timeoutMs: 30 * SECOND,
  };
  const gitOnly: string[] = [];
  for (const [key, value] of Object.entries(table)) {
    if (key !== 'git') gitOnly.push(key);
    switch (key) {
      case 'git':
        git.url = gitUrl(value, fail);
        break;
      case 'ref':
        if (typeof value !== 'string' || !isRefName(value))
          fail('ref must be a branch, tag or ref name such as "main" or "refs/tags/v1"');
        git.ref = value as string;
        break;
      case 'path':
        if (typeof value !== 'string' || !isRepoPath(value))
          fail('path must be a directory inside the repository, such as "agentid" (no "..", no leading "/")');
        git.path = (value as string).replace(/\/+$/, '');
        break;
      case 'interval':
        git.intervalMs = interval(value, fail);
        break;
      case 'allowed_signers':
        if (typeof value !== 'string' || !isAbsolute(value))
          fail('allowed_signers must be the absolute path of an allowed-signers file (ssh-keygen(1))');
        git.allowedSigners = value as string;
        break;
      case 'timeout_ms':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 1000 || value > 600_000)
          fail('timeout_ms must be an integer between 1000 and 600000');
        git.timeoutMs = value as number;
        break;
      case 'local':
        if (value !== 'ignore' && value !== 'merge') fail('local must be "ignore" or "merge"');
        config.local = value as PolicyConfig['local'];
        break;
      default:
        fail(`unknown key "${key}"`);
    }
  }
  if (git.url !== '') config.git = git;
  else if (gitOnly.length > 0) fail(`${gitOnly.join(', ')} need git = "<repository URL>"`);
  return config;
}

/** http(s), ssh, git and file URLs, and scp-like `user@host:path`; nothing git would read as an option. */
function gitUrl(value: unknown, fail: (message: string) => never): string {
  const ok =
    typeof value === 'string' &&
    !/[\s\0]/.test(value) &&
    (/^(https?|ssh|git|file):\/\/./.test(value) || /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/].*$/.test(value));
  if (!ok)
    fail(
      'git must be the URL of a repository: https://, ssh://, git://, file:// or user@host:path ' +
        '(other transports are refused)',
    );
  return value as string;
}

function isRefName(value: string): boolean {
  return (
    /^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/.test(value) &&
    !value.includes('..') &&
    !value.includes('//') &&
    !value.endsWith('/') &&
    !value.endsWith('.lock')
  );
}

function isRepoPath(value: string): boolean {
  if (value === '') return true;
  if (!/^[A-Za-z0-9._/-]{1,200}$/.test(value) || value.startsWith('/') || value.startsWith('-')) return false;
  return value.split('/').every((segment) => segment !== '..' && segment !== '.');
}

/** Seconds as an integer, or "30s", "5m", "1h". */
function interval(value: unknown, fail: (message: string) => never): number {
  let ms = Number.NaN;
  if (typeof value === 'number' && Number.isInteger(value)) ms = value * SECOND;
  const match = typeof value === 'string' ? /^(\d{1,6})([smh])$/.exec(value) : null;
  if (match) ms = Number(match[1]) * (UNITS[match[2] as string] as number);
  if (!(ms >= MIN_INTERVAL_MS && ms <= MAX_INTERVAL_MS))
    fail('interval must be seconds (an integer) or a duration like "30s", "5m", "1h", between 1s and 24h');
  return ms;
}
