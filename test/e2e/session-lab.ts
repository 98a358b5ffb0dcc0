/**
 * A lab for exec sessions, for the workload tests and the attacks on sessions: a daemon and the
 * CLI from any build (AGENTID_ATTACK_DIST, default ./dist, so the same attacks run against an
 * older main: `AGENTID_ATTACK_DIST=/x/dist`), run as the current user or as uid 65534 (when
 * root: setpriv, no supplementary groups), in a throwaway directory that user owns:
 * `agentid/` (AGENTID_HOME), `home/` (HOME) and `scratch/`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { collect, type Home, type Result, sleep } from './harness.js';

export const dist = resolve(process.env.AGENTID_ATTACK_DIST ?? 'dist');
export const cli = join(dist, 'cli', 'main.js');
export const isRoot = process.getuid?.() === 0;
export const NOBODY = 65534;

export interface Who {
  label: string;
  /** null: the current user. */
  uid: number | null;
}

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const me: Who = { label: isRoot ? 'root' : 'user', uid: null };
export const nobody: Who = { label: 'uid 65534', uid: NOBODY };
/** The current user, and uid 65534 too when that can be arranged (running as root). */
export const everyone: Who[] = isRoot ? [me, nobody] : [me];

export interface Lab {
  home: Home;
  who: Who;
  /** `node <cli>` as a shell word list. */
  agentid: string;
  /** Runs a process as the lab's user with the lab's environment. */
  run(
    command: string,
    args: string[],
    options?: { env?: NodeJS.ProcessEnv; input?: string },
  ): Promise<Result>;
  /** `agentid ARGS` as the lab's user. */
  cli(args: string[], options?: { env?: NodeJS.ProcessEnv; input?: string }): Promise<Result>;
  /** `agentid exec EXEC_ARGS -- sh -c SCRIPT` as the lab's user. */
  execSh(script: string, execArgs?: string[], env?: NodeJS.ProcessEnv): Promise<Result>;
  startDaemon(): Promise<void>;
  /** The running daemon's pid, from its lock file. */
  daemonPid(): number | null;
  auditRows(): Promise<AuditRow[]>;
  writePolicy(name: string, text: string): void;
  /** A scratch directory the lab's user can write (inside a sandbox too). */
  scratch(): string;
  /** Makes everything under the lab its user's again (after the runner wrote files there). */
  own(): void;
  /** The environment the lab's processes get. */
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export interface AuditRow {
  seq: number;
  action: string;
  decision: string;
  agent: string;
  resource: string | null;
  reason: string | null;
  errorCode: string | null;
  attestation: { agentEvidence?: string; sessionVia?: string | null } | null;
}

function asUser(who: Who, command: string, args: string[]): [string, string[]] {
  if (who.uid === null) return [command, args];
  const id = String(who.uid);
  return ['setpriv', ['--reuid', id, '--regid', id, '--clear-groups', '--', command, ...args]];
}

export function openLab(who: Who, config = ''): Lab {
  const root = mkdtempSync(join(tmpdir(), 'agentid-lab-'));
  const dir = join(root, 'agentid');
  const userHome = join(root, 'home');
  const scratchRoot = join(root, 'scratch');
  for (const d of [dir, userHome, scratchRoot]) mkdirSync(d);
  writeFileSync(join(dir, 'config.toml'), config);
  const home: Home = {
    dir,
    socket: join(dir, 'run', 'agentid.sock'),
    auditDb: join(dir, 'state', 'audit.db'),
    env: { ...process.env, AGENTID_HOME: dir, AGENTID_NO_AUTOSTART: undefined },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
  const base: NodeJS.ProcessEnv = {
    ...home.env,
    // Another user cannot run what lives in the runner's private dirs (e.g. /root/.pyenv):
    // system directories first.
    PATH: who.uid === null ? process.env.PATH : `${SYSTEM_PATH}:${process.env.PATH ?? ''}`,
    // The lab user's own HOME: nothing of the runner's leaks in, and it is writable in a sandbox.
    HOME: userHome,
    XDG_RUNTIME_DIR: undefined,
    XDG_CONFIG_HOME: undefined,
    XDG_STATE_HOME: undefined,
    DBUS_SESSION_BUS_ADDRESS: undefined,
  };
  let daemon: ChildProcess | null = null;
  const own = () => {
    if (who.uid !== null) chownTree(root, who.uid);
  };
  own();
  const lab: Lab = {
    home,
    who,
    env: base,
    own,
    agentid: `${process.execPath} ${cli}`,
    run(command, args, options = {}) {
      const [c, a] = asUser(who, command, args);
      return collect(
        spawn(c, a, { env: { ...base, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] }),
        options.input,
      );
    },
    cli(args, options) {
      return lab.run(process.execPath, [cli, ...args], options);
    },
    execSh(script, execArgs = [], env) {
      return lab.cli(['exec', ...execArgs, '--', 'sh', '-c', script], { env });
    },
    async startDaemon() {
      own();
      const [c, a] = asUser(who, process.execPath, [cli, 'daemon', 'run']);
      daemon = spawn(c, a, { env: base, stdio: 'ignore' });
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        if (daemon.exitCode !== null) throw new Error(`daemon exited with ${daemon.exitCode}`);
        const status = await lab.cli(['status', '--json'], { env: { AGENTID_NO_AUTOSTART: '1' } });
        if (status.code === 0) return;
        await sleep(100);
      }
      throw new Error('daemon did not answer');
    },
    daemonPid() {
      try {
        return Number(readFileSync(join(home.dir, 'state', 'daemon.lock'), 'utf8').trim()) || null;
      } catch {
        return null;
      }
    },
    async auditRows() {
      const out = await lab.cli(['audit', '--json', '--limit', '100000'], {
        env: { AGENTID_NO_AUTOSTART: '1' },
      });
      return out.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as AuditRow);
    },
    writePolicy(name, text) {
      const dir = join(home.dir, 'policy');
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(join(dir, name), text, { mode: 0o600 });
      own();
    },
    scratch() {
      const dir = join(scratchRoot, String(readdirSync(scratchRoot).length));
      mkdirSync(dir);
      own();
      return dir;
    },
    async cleanup() {
      // Whichever daemon runs now: the one started here, or one an attack made autostart.
      const pid = lab.daemonPid();
      if (pid !== null) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {}
      }
      daemon?.kill('SIGTERM');
      await sleep(300);
      home.cleanup();
    },
  };
  return lab;
}

function chownTree(path: string, uid: number): void {
  chownSync(path, uid, uid);
  if (!statSync(path).isDirectory()) return;
  for (const name of readdirSync(path)) chownTree(join(path, name), uid);
}

/** A private copy of node: a binary an agent definition can name by path and sha256. */
export function copyOfNode(dir: string, name: string, extra = ''): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([readFileSync(process.execPath), Buffer.from(extra)]));
  chmodSync(path, 0o755);
  return path;
}

/** `key=value` lines a scenario script printed, as a record. */
export function markers(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split('\n')
      .map((line) => /^([a-z0-9-]+)=(.*)$/.exec(line))
      .flatMap((m) => (m?.[1] !== undefined && m[2] !== undefined ? [[m[1], m[2]]] : [])),
  );
}
