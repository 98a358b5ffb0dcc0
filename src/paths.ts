/**
 * Where agentid keeps its files. XDG base directories by default; AGENTID_HOME=<dir> puts
 * everything under one directory (tests, portable installs). Pure resolution plus one guarded
 * directory creator: a private directory that exists with the wrong owner or mode is refused,
 * never silently chmod'ed, because someone else could already be listening there.
 */
import type { Stats } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AgentIdError } from './errors.js';

// node:fs without its ES facade, which loads node:stream: docs/architecture.md, start-up.
const { lstatSync, mkdirSync, statSync } = process.getBuiltinModule('node:fs');

export interface Paths {
  configFile: string;
  policyDir: string;
  stateDir: string;
  auditDb: string;
  /** Daemon log of detached daemons (`daemon start`). */
  daemonLog: string;
  /** flock'ed by the running daemon; holds its pid. */
  lockFile: string;
  /** File secret backend (opt-in only). */
  secretsFile: string;
  /** Live `agentid exec` sessions, so a restarted daemon still knows them. */
  sessionsFile: string;
  /** Names the marker item that tells this user's keychain from a replaced one (keychain backend). */
  keychainMarker: string;
  /** Audit shipping: one cursor file per sink. */
  shipDir: string;
  /** Policy from git: the daemon's private clone of the policy repository. */
  policyGitDir: string;
  runDir: string;
  socket: string;
  /** The thin sh helpers `agentid setup git|aws` writes (cli/thin-helpers.ts). */
  helpersDir: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

export function resolvePaths(env: Env, uid: number, home: string = homedir()): Paths {
  const agentidHome = env.AGENTID_HOME;
  if (agentidHome) {
    return layout(
      join(agentidHome),
      join(agentidHome, 'state'),
      join(agentidHome, 'run'),
      join(agentidHome, 'bin'),
    );
  }
  const configHome = env.XDG_CONFIG_HOME || join(home, '.config');
  const stateHome = env.XDG_STATE_HOME || join(home, '.local', 'state');
  const runtime = env.XDG_RUNTIME_DIR;
  const runDir = runtime ? join(runtime, 'agentid') : join('/tmp', `agentid-${uid}`);
  const dataHome = env.XDG_DATA_HOME || join(home, '.local', 'share');
  return layout(
    join(configHome, 'agentid'),
    join(stateHome, 'agentid'),
    runDir,
    join(dataHome, 'agentid', 'bin'),
  );
}

function layout(configDir: string, stateDir: string, runDir: string, helpersDir: string): Paths {
  return {
    configFile: join(configDir, 'config.toml'),
    policyDir: join(configDir, 'policy'),
    stateDir,
    auditDb: join(stateDir, 'audit.db'),
    daemonLog: join(stateDir, 'daemon.log'),
    lockFile: join(stateDir, 'daemon.lock'),
    secretsFile: join(stateDir, 'secrets.json'),
    sessionsFile: join(stateDir, 'sessions.json'),
    keychainMarker: join(stateDir, 'keychain-marker'),
    shipDir: join(stateDir, 'ship'),
    policyGitDir: join(stateDir, 'policy-git'),
    runDir,
    socket: join(runDir, 'agentid.sock'),
    helpersDir,
  };
}

/**
 * Creates `dir` (and parents) with mode 0700, or checks that an existing one is owned by `uid`
 * and has no group/world bits. Throws ERR_PATHS_UNSAFE_DIR with the fix otherwise. With
 * `noSymlink` (the socket's directory, which clients refuse as a link) `dir` itself must not be one.
 */
export function ensurePrivateDir(dir: string, uid: number, options: { noSymlink?: boolean } = {}): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const problem = privateDirProblem(dir, (options.noSymlink ? lstatSync : statSync)(dir), uid);
  if (problem) throw new AgentIdError('ERR_PATHS_UNSAFE_DIR', problem);
}

/**
 * Why `dir` (as `st` describes it) is not a directory private to `uid`, with the fix; null when it
 * is. The one rule for the daemon creating its directories and the clients checking the socket's.
 */
export function privateDirProblem(
  dir: string,
  st: Pick<Stats, 'uid' | 'mode' | 'isDirectory'>,
  uid: number,
): string | null {
  if (!st.isDirectory()) return `${dir} exists and is not a directory; remove it`;
  if (st.uid !== uid) {
    return `${dir} is owned by uid ${st.uid}, not by you (uid ${uid}); remove it or set AGENTID_HOME to a private directory`;
  }
  if ((st.mode & 0o077) !== 0) {
    return `${dir} has mode ${(st.mode & 0o777).toString(8)}; it must be private: chmod 700 ${dir}`;
  }
  return null;
}
