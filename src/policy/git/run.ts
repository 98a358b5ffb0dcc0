/**
 * Runs git for the policy fetch: bounded in time (the whole process group is killed at the
 * timeout: git's transport helpers and ssh with it) and in output, with no prompt of any kind, and
 * isolated from the user's git and gpg configuration. The user's config is not read: its credential
 * helpers (possibly agentid itself), url rewrites and hooks have no say in what the daemon
 * fetches, and nothing they print can reach a log. Only the transports git:, http(s):, ssh: and
 * file: are allowed, so no URL can make git run a command (`ext::`).
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { AgentIdError, type ErrorCode } from '../../errors.js';
import { redactOutput } from './redact.js';

export interface GitRunDeps {
  spawn(command: string, args: readonly string[], options: SpawnOptions): ChildProcess;
  /** Signals a process group (negative pid), for the timeout. */
  kill(pid: number, signal: NodeJS.Signals): void;
  /** The daemon's environment: only PATH, SSH_AUTH_SOCK and the proxy variables pass through. */
  env: Readonly<Record<string, string | undefined>>;
}

export interface GitRunOptions {
  /** The daemon's private git home: HOME and the config dirs point here, not at the user's. */
  home: string;
  timeoutMs: number;
  /** Texts to blank out of any message (the URL's credentials). */
  secrets: readonly string[];
  /** The code of a failure (a fetch, or reading the fetched commit). */
  code?: ErrorCode;
  /** Exit codes that are answers, not failures (`merge-base --is-ancestor` says no with 1). */
  okExits?: readonly number[];
  maxOutputBytes?: number;
}

export interface GitResult {
  exitCode: number;
  stdout: Buffer;
}

const DEFAULT_MAX_OUTPUT = 16 * 1024 * 1024;
const PASSED = [
  'SSH_AUTH_SOCK',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
];

export function gitEnv(deps: GitRunDeps, home: string): Record<string, string> {
  const env: Record<string, string> = {
    PATH: deps.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: home,
    GNUPGHOME: home,
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '/bin/false',
    SSH_ASKPASS: '/bin/false',
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -o ConnectTimeout=15',
    GIT_ALLOW_PROTOCOL: 'git:http:https:ssh:file',
    GIT_NO_REPLACE_OBJECTS: '1',
  };
  // An ssh URL may authenticate with the user's agent (it answers only what it is asked to sign),
  // and a machine behind a proxy needs it for https.
  for (const name of PASSED) {
    const value = deps.env[name];
    if (value) env[name] = value;
  }
  return env;
}

export function runGit(
  deps: GitRunDeps,
  args: readonly string[],
  options: GitRunOptions,
): Promise<GitResult> {
  const code = options.code ?? 'ERR_POLICY_GIT_FETCH';
  const max = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  return new Promise((resolve, reject) => {
    const child = deps.spawn('git', ['-c', 'credential.helper=', '-c', 'core.hooksPath=/dev/null', ...args], {
      env: gitEnv(deps, options.home),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const stdout: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let failure: string | null = null;
    const killGroup = (why: string) => {
      failure ??= why;
      if (child.pid !== undefined) {
        try {
          deps.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    };
    const timer = setTimeout(() => killGroup(`no answer within ${options.timeoutMs} ms`), options.timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) killGroup(`more than ${max} bytes of output`);
      else stdout.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += chunk.toString('utf8');
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new AgentIdError(code, `cannot run git: ${err.message}; install git`));
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      const verb = args.find((a) => !a.startsWith('-') && !a.includes('=')) ?? 'git';
      if (failure !== null) {
        reject(new AgentIdError(code, `git ${verb}: ${failure}`));
      } else if (exitCode === 0 || (exitCode !== null && options.okExits?.includes(exitCode))) {
        resolve({ exitCode, stdout: Buffer.concat(stdout) });
      } else {
        const why = redactOutput(stderr, options.secrets) || `exit code ${exitCode}`;
        reject(new AgentIdError(code, `git ${verb} failed: ${why}`));
      }
    });
  });
}
