/**
 * The bubblewrap command line of a sandboxed `agentid exec` (SECURITY.md, "The sandbox"). Pure:
 * what exists on the machine comes in as facts, so every mount has a table test.
 *
 * The command sees the file system as the user does (so agents work normally), except:
 * - its own user, pid and IPC namespaces: it cannot see, signal or ptrace processes outside, and
 *   the daemon recognises its processes by the user namespace, which none of them can leave;
 * - agentid's config and policy dir read-only, its state dir (audit log, file secrets, lock, log)
 *   hidden, and the socket dir read-only (the socket works; nobody can replace it);
 * - $XDG_RUNTIME_DIR hidden: the session bus (the keychain), the systemd user manager and other
 *   services that would start processes outside the sandbox or hand out the user's secrets;
 *   likewise the tmux server, the ssh-agent socket and a D-Bus socket named elsewhere. `[sandbox]
 *   dbus` and `share` bring back what the user chooses;
 * - no controlling terminal (a new session), so it cannot push keystrokes into the user's shell
 *   (TIOCSTI): it still reads and writes the terminal it was given.
 * The network is shared: agents fetch, push and call APIs. `--die-with-parent` ends the sandbox
 * with the exec wrapper that is the session's root.
 */
import { dirname, join } from 'node:path';
import type { SandboxConfig } from '../config/index.js';
import type { Env, Paths } from '../paths.js';

export interface SandboxFacts {
  paths: Paths;
  /** The environment the command would get without a sandbox. */
  env: Env;
  uid: number;
  cwd: string;
  config: SandboxConfig;
  /** Whether a path exists on this machine (file, directory or socket). */
  exists(path: string): boolean;
  /** Descriptors (in bwrap) it writes its JSON info to and waits on before running the command. */
  infoFd: number;
  blockFd: number;
}

export interface SandboxPlan {
  /** bwrap's arguments up to and including `--`; the command and its arguments follow. */
  args: string[];
  /** The command's environment: variables naming hidden services are dropped. */
  env: Record<string, string | undefined>;
  /** Host paths the command cannot reach or change, for `doctor` and the session record. */
  hidden: string[];
  readOnly: string[];
}

export function sandboxPlan(facts: SandboxFacts): SandboxPlan {
  const { paths, env, config } = facts;
  const args = [
    '--die-with-parent',
    '--new-session',
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--cap-drop',
    'ALL',
    '--bind',
    '/',
    '/',
    '--dev-bind',
    '/dev',
    '/dev',
    '--proc',
    '/proc',
  ];
  const hidden: string[] = [];
  const readOnly: string[] = [];
  const childEnv: Record<string, string | undefined> = { ...env };
  const hideDir = (dir: string) => {
    args.push('--tmpfs', dir);
    hidden.push(dir);
  };
  // A socket is hidden by putting an empty read-only file over it: connect() then fails.
  const hideFile = (file: string) => {
    args.push('--ro-bind', '/dev/null', file);
    hidden.push(file);
  };
  const within = (path: string, dir: string | undefined) => dir !== undefined && path.startsWith(`${dir}/`);

  const runtime = env.XDG_RUNTIME_DIR && facts.exists(env.XDG_RUNTIME_DIR) ? env.XDG_RUNTIME_DIR : undefined;
  if (runtime) hideDir(runtime);
  const tmux = join(env.TMUX_TMPDIR || '/tmp', `tmux-${facts.uid}`);
  if (facts.exists(tmux)) hideDir(tmux);
  delete childEnv.TMUX;
  delete childEnv.TMUX_PANE;

  const bus = busPath(env.DBUS_SESSION_BUS_ADDRESS) ?? (runtime ? join(runtime, 'bus') : null);
  if (config.dbus) {
    if (bus && within(bus, runtime) && facts.exists(bus)) args.push('--bind', bus, bus);
  } else {
    if (bus && !within(bus, runtime) && facts.exists(bus)) hideFile(bus);
    delete childEnv.DBUS_SESSION_BUS_ADDRESS;
  }
  const sshAgent = env.SSH_AUTH_SOCK;
  if (sshAgent && !config.share.includes(sshAgent)) {
    if (!within(sshAgent, runtime) && facts.exists(sshAgent)) hideFile(sshAgent);
    delete childEnv.SSH_AUTH_SOCK;
  }
  for (const path of config.share) if (facts.exists(path)) args.push('--bind', path, path);

  // agentid's own files last, so nothing above can bring them back.
  const configDir = dirname(paths.configFile);
  args.push('--ro-bind', configDir, configDir);
  readOnly.push(configDir);
  if (!within(paths.policyDir, configDir) && facts.exists(paths.policyDir)) {
    args.push('--ro-bind', paths.policyDir, paths.policyDir);
    readOnly.push(paths.policyDir);
  }
  hideDir(paths.stateDir);
  args.push('--ro-bind', paths.runDir, paths.runDir);
  readOnly.push(paths.runDir);

  args.push(
    '--chdir',
    facts.cwd,
    '--info-fd',
    String(facts.infoFd),
    '--block-fd',
    String(facts.blockFd),
    '--',
  );
  return { args, env: childEnv, hidden, readOnly };
}

/** The socket path of a `unix:path=...` D-Bus address (the first one listed); null otherwise. */
export function busPath(address: string | undefined): string | null {
  const first = address?.split(';')[0] ?? '';
  if (!first.startsWith('unix:')) return null;
  for (const pair of first.slice('unix:'.length).split(',')) {
    const [key, value] = pair.split('=', 2);
    if (key === 'path' && value) return decodeURIComponent(value);
  }
  return null;
}
