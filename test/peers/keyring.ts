/**
 * A real, throwaway OS keychain for tests: a private D-Bus session with gnome-keyring's Secret
 * Service, unlocked with a known password, whose files live in a temp HOME. Tests of the
 * keychain backend run their code inside it as child processes, so the developer's own keyring
 * and session bus are never touched, and nothing is mocked.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Below vitest's 30 s test timeout, so a hang reports the session's output instead of a bare timeout.
const SESSION_TIMEOUT_MS = 25_000;
const PASSWORD = 'agentid-test-keyring';
const tools = ['dbus-run-session', 'dbus-send', 'gnome-keyring-daemon', 'secret-tool'] as const;

/** Why real keychain tests cannot run here, or null when they can. */
export function keyringUnavailableReason(): string | null {
  if (process.platform !== 'linux') return `keyring peer needs Linux (this is ${process.platform})`;
  const missing = tools.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  if (missing.length === 0) return null;
  return `missing ${missing.join(', ')}; install: apt-get install dbus gnome-keyring libsecret-tools`;
}

// --unlock reads the password from stdin and, in an empty keyring dir, creates the "login"
// collection with it, so items are stored encrypted and no unlock prompt (which needs a display)
// is ever shown. That daemon does not own org.freedesktop.secrets yet: a client arriving now
// would D-Bus-activate a second daemon. --start finishes the first one's registration on the bus;
// whatever env it prints (GNOME_KEYRING_CONTROL, SSH_AUTH_SOCK, depending on version) is exported.
const prelude = `set -e
printf '%s\\n' "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
unset KEYRING_PASSWORD
eval "$(gnome-keyring-daemon --start --components=secrets 2>/dev/null)"
set +e
`;

/**
 * Bash: kills the session's gnome-keyring (the owner of org.freedesktop.secrets on this private
 * bus, asked of the bus itself) and waits until it is gone. The next client makes D-Bus start a
 * fresh one, which loads the keyring from disk locked (no password reaches it).
 */
export const killKeyringDaemon = `keyring_pid=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus \\
  /org/freedesktop/DBus org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets \\
  | awk '/uint32/ {print $2}')
kill "$keyring_pid"
while kill -0 "$keyring_pid" 2>/dev/null; do sleep 0.05; done
`;

/** Bash: starts an unlocked keyring again, as the session prelude does (after killKeyringDaemon). */
export const unlockFreshKeyring = `printf '%s\\n' '${PASSWORD}' | gnome-keyring-daemon --replace --unlock --components=secrets >/dev/null
eval "$(gnome-keyring-daemon --start --components=secrets 2>/dev/null)"
`;

/**
 * Runs bash `script` in a fresh D-Bus session with an unlocked gnome-keyring. HOME and the XDG
 * dirs point into a temp dir (removed afterwards) unless `env` sets HOME, in which case the
 * caller owns that dir and can inspect it. `env` is layered over a minimal environment.
 */
export async function runInKeyringSession(
  script: string,
  env: NodeJS.ProcessEnv = {},
  timeoutMs = SESSION_TIMEOUT_MS,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const ownHome = env.HOME === undefined;
  const home = env.HOME ?? (await mkdtemp(join(tmpdir(), 'agentid-keyring-')));
  const runtimeDir = join(home, 'run');
  await mkdir(runtimeDir, { recursive: true, mode: 0o700 });
  try {
    return await run(
      prelude + script,
      {
        // PATH only from the outside world: no DISPLAY, no session bus, no real XDG dirs leak in.
        PATH: process.env.PATH,
        HOME: home,
        XDG_DATA_HOME: join(home, 'data'),
        XDG_CONFIG_HOME: join(home, 'config'),
        XDG_CACHE_HOME: join(home, 'cache'),
        XDG_STATE_HOME: join(home, 'state'),
        XDG_RUNTIME_DIR: runtimeDir,
        KEYRING_PASSWORD: PASSWORD,
        ...env,
      },
      timeoutMs,
    );
  } finally {
    if (ownHome) await rm(home, { recursive: true, force: true });
  }
}

function run(
  script: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Own process group, so a wedged session is killed whole: dbus-run-session does not pass a
    // signal on, and its children would keep the output pipes (and this promise) open.
    const child = spawn('dbus-run-session', ['--', 'bash', '-c', script], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The whole group exited just now; 'close' follows.
      }
    }, timeoutMs);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, stdout, stderr: signal ? `${stderr}[killed by ${signal}]` : stderr });
    });
  });
}
