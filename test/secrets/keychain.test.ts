/**
 * The keychain backend against a real Secret Service (gnome-keyring in a throwaway D-Bus session,
 * see test/peers/keyring.ts). The store runs in child processes because the session bus is only
 * reachable inside `dbus-run-session` and libdbus binds a process to one bus. The children need
 * JavaScript, and Node 20 cannot import .ts, so beforeAll transpiles the current sources of
 * src/secrets (plus errors.ts and paths.ts) with the TypeScript compiler API into a temp dir: no
 * stale dist/, and no dependence on the rest of the tree compiling.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  keyringUnavailableReason,
  killKeyringDaemon,
  runInKeyringSession,
  unlockFreshKeyring,
} from '../peers/keyring.js';

const root = resolve(import.meta.dirname, '../..');
const keyringSkip = keyringUnavailableReason();
if (keyringSkip) console.warn(`SKIP keychain tests against gnome-keyring: ${keyringSkip}`);
const linuxSkip = process.platform === 'linux' ? null : 'the no-keychain case is Linux D-Bus specific';
if (linuxSkip) console.warn(`SKIP no-keychain test: ${linuxSkip}`);

// One store operation per process, answered as one JSON line; the value comes from the
// environment so it never sits in argv.
const driverSource = `
import { openSecretStore } from './src/secrets/index.js';
const [op, name] = process.argv.slice(2);
try {
  const store = await openSecretStore({
    backend: 'keychain',
    filePath: process.env.AGENTID_SECRETS_FILE,
    markerPath: process.env.AGENTID_SECRETS_FILE.replace(/secrets.json$/, 'keychain-marker'),
    warn: (message) => console.error('warn: ' + message),
  });
  const ops = {
    open: async () => null,
    set: () => store.set(name, process.env.SECRET_VALUE),
    get: () => store.get(name),
    delete: () => store.delete(name),
    list: () => store.list(),
  };
  const result = await ops[op]();
  console.log(JSON.stringify({ backend: store.backend, result: result ?? null }));
} catch (err) {
  console.log(JSON.stringify({ error: { code: err.code, message: err.message } }));
}
`;

let buildDir = '';
let driver = '';

beforeAll(async () => {
  buildDir = await mkdtemp(join(tmpdir(), 'agentid-secrets-build-'));
  const sources = [
    'src/errors.ts',
    'src/paths.ts',
    ...(await readdir(join(root, 'src/secrets'))).map((file) => `src/secrets/${file}`),
  ];
  for (const file of sources) {
    const { outputText } = ts.transpileModule(await readFile(join(root, file), 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const out = join(buildDir, file.replace(/\.ts$/, '.js'));
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, outputText);
  }
  await writeFile(join(buildDir, 'package.json'), '{"type":"module"}\n');
  await symlink(join(root, 'node_modules'), join(buildDir, 'node_modules'));
  driver = join(buildDir, 'driver.mjs');
  await writeFile(driver, driverSource);
});

afterAll(async () => {
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
});

interface DriverAnswer {
  backend?: string;
  result?: unknown;
  error?: { code: string; message: string };
}

/** `label=<json>` lines printed by the session script, keyed by label. */
function answers(stdout: string): Record<string, DriverAnswer> {
  const out: Record<string, DriverAnswer> = {};
  for (const line of stdout.split('\n')) {
    const match = /^(\w+)=(\{.*\})$/.exec(line);
    if (match?.[1] && match[2]) out[match[1]] = JSON.parse(match[2]) as DriverAnswer;
  }
  return out;
}

// `drive LABEL OP [NAME]` runs the store; secret-tool reads and writes the same items directly.
const shellHelpers = `
drive() { label="$1"; shift; echo "$label=$("$NODE" "$DRIVER" "$@")"; }
`;

async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const entry of await readdir(dir, { recursive: true })) {
    const path = join(dir, entry);
    const st = await stat(path).catch(() => undefined);
    if (st?.isFile() && (await readFile(path)).includes(needle)) hits.push(path);
  }
  return hits;
}

describe.skipIf(keyringSkip !== null)('keychain backend (real gnome-keyring)', () => {
  let home = '';

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'agentid-keyring-home-'));
  });

  afterAll(async () => {
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('stores items secret-tool can read, lists, deletes, and writes no value to disk', async () => {
    const value = `v-${randomBytes(12).toString('hex')}`;
    const other = `o-${randomBytes(12).toString('hex')}`;
    const agentidHome = join(home, 'agentid');
    const secretsFile = join(agentidHome, 'state', 'secrets.json');
    const { code, stdout, stderr } = await runInKeyringSession(
      `${shellHelpers}
drive set set github/app-key
echo "rawlookup:$(secret-tool lookup service agentid username github/app-key)"
printf '%s' "$OTHER_VALUE" | secret-tool store --label=other service agentid username aws.base
drive get get github/app-key
drive getOther get aws.base
drive getMissing get nope
drive list list
drive delete delete github/app-key
drive deleteAgain delete github/app-key
secret-tool lookup service agentid username github/app-key; echo "lookupAfterDelete:$?"
drive listAfter list
`,
      {
        HOME: home,
        AGENTID_HOME: agentidHome,
        AGENTID_SECRETS_FILE: secretsFile,
        NODE: process.execPath,
        DRIVER: driver,
        SECRET_VALUE: value,
        OTHER_VALUE: other,
      },
    );
    expect(code, stderr).toBe(0);
    const got = answers(stdout);
    expect(got.set, stderr).toEqual({ backend: 'keychain', result: null });
    expect(stdout).toContain(`rawlookup:${value}\n`);
    expect(got.get?.result).toBe(value);
    expect(got.getOther?.result).toBe(other);
    expect(got.getMissing).toEqual({ backend: 'keychain', result: null });
    // The open probe uses its own service, so only our two names show up.
    expect(got.list?.result).toEqual(['aws.base', 'github/app-key']);
    expect(got.delete?.result).toBe(true);
    expect(got.deleteAgain?.result).toBe(false);
    expect(stdout).toContain('lookupAfterDelete:1');
    expect(got.listAfter?.result).toEqual(['aws.base']);
    expect(stderr).not.toContain('warn:');

    // The keyring's own files exist (so the scan is meaningful) and hold the value encrypted.
    expect((await readdir(join(home, 'data', 'keyrings'))).length).toBeGreaterThan(0);
    expect(await filesContaining(home, value)).toEqual([]);
    expect(await filesContaining(home, other)).toEqual([]);
    await expect(stat(secretsFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a locked keyring with ERR_SECRETS_LOCKED', async () => {
    // Unlocking needs a prompt, which fails at once without a display: the probe write must fail.
    // (`secret-tool lock` crashes or hangs in libsecret 0.20, hence the raw D-Bus call.)
    const { code, stdout, stderr } = await runInKeyringSession(
      `${shellHelpers}
dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \\
  org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null
drive open open
`,
      { NODE: process.execPath, DRIVER: driver, AGENTID_SECRETS_FILE: '/nonexistent/state/secrets.json' },
    );
    expect(code, stderr).toBe(0);
    const error = answers(stdout).open?.error;
    expect(error?.code, stdout + stderr).toBe('ERR_SECRETS_LOCKED');
    expect(error?.message).toMatch(/prompt was dismissed/);
    expect(error?.message).toContain('gnome-keyring-daemon --unlock');
  });

  it('tells a locked keyring (restarted daemon) and a replaced one (another keyring) from "no secrets"', async () => {
    const agentidHome = await mkdtemp(join(tmpdir(), 'agentid-keyring-replaced-'));
    try {
      const { code, stdout, stderr } = await runInKeyringSession(
        `${shellHelpers}
drive set set kept
drive listBefore list
${killKeyringDaemon}
drive listLocked list
drive getLocked get kept
${killKeyringDaemon}
mv "$XDG_DATA_HOME/keyrings" "$XDG_DATA_HOME/keyrings.old"
${unlockFreshKeyring}
drive listReplaced list
drive getReplaced get kept
drive setReplaced set other
`,
        {
          NODE: process.execPath,
          DRIVER: driver,
          SECRET_VALUE: 'v',
          AGENTID_SECRETS_FILE: join(agentidHome, 'state', 'secrets.json'),
        },
      );
      expect(code, stderr).toBe(0);
      const got = answers(stdout);
      expect(got.listBefore?.result, stdout).toEqual(['kept']);
      for (const label of ['listLocked', 'getLocked'])
        expect(got[label]?.error?.code, `${label}: ${stdout}`).toBe('ERR_SECRETS_LOCKED');
      for (const label of ['listReplaced', 'getReplaced', 'setReplaced'])
        expect(got[label]?.error?.code, `${label}: ${stdout}`).toBe('ERR_SECRETS_REPLACED');
      expect(got.listReplaced?.error?.message).toContain(join(agentidHome, 'state', 'keychain-marker'));
    } finally {
      await rm(agentidHome, { recursive: true, force: true });
    }
  });
});

describe.skipIf(linuxSkip !== null)('keychain backend without a D-Bus session', () => {
  it('fails with ERR_SECRETS_NO_KEYCHAIN naming both fixes', async () => {
    const home = await mkdtemp(join(tmpdir(), 'agentid-nobus-'));
    try {
      const runtimeDir = join(home, 'run');
      await mkdir(runtimeDir, { mode: 0o700 });
      const secretsFile = join(home, 'state', 'secrets.json');
      // No DBUS_SESSION_BUS_ADDRESS, and an empty XDG_RUNTIME_DIR so no default bus socket exists.
      const stdout = await runNode([driver, 'open'], {
        PATH: process.env.PATH,
        HOME: home,
        XDG_RUNTIME_DIR: runtimeDir,
        AGENTID_SECRETS_FILE: secretsFile,
      });
      const error = answers(`open=${stdout.trim()}`).open?.error;
      expect(error?.code, stdout).toBe('ERR_SECRETS_NO_KEYCHAIN');
      expect(error?.message).toMatch(/DBUS_SESSION_BUS_ADDRESS/);
      expect(error?.message).toMatch(/gnome-keyring/);
      expect(error?.message).toContain('[secrets] backend = "file"');
      expect(error?.message).toContain('config.toml');
      expect(error?.message).toContain(secretsFile);
      expect(error?.message).toMatch(/state dir/);
      // Never a silent fallback: nothing was written for the file backend either.
      await expect(stat(secretsFile)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 20_000,
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.on('error', reject);
    child.on('close', () => resolvePromise(stdout));
  });
}
