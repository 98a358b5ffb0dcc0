/**
 * OS keychain backend through @napi-rs/keyring: macOS Keychain, Windows Credential Manager, and
 * on Linux the freedesktop Secret Service (gnome-keyring, KWallet, KeePassXC). One item per
 * secret, service "agentid" and account = secret name; on Linux these are the item attributes
 * `service` and `username`, so `secret-tool lookup service agentid username NAME` reads one.
 * Only the async API is used so a slow keychain never blocks the daemon's event loop.
 *
 * A Secret Service can be swapped under a running daemon: kill gnome-keyring and D-Bus starts a
 * fresh one, locked, or with another (empty) keyring. Searching that one finds nothing, which
 * must not read as "no secrets stored". So a marker item (service "agentid.marker", account = a
 * random id kept in the state dir) is written once; an empty answer (no such secret, an empty
 * list, nothing to delete) and every write are checked against it: a marker that cannot be read
 * is ERR_SECRETS_LOCKED, one that is gone is ERR_SECRETS_REPLACED.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AsyncEntry, findCredentialsAsync } from '@napi-rs/keyring';
import { AgentIdError } from '../errors.js';
import type { SecretStore } from './types.js';

const SERVICE = 'agentid';
// Unpinned entries silently fall back to the kernel keyutils keyring when no Secret Service is
// reachable; that store is in-memory only and would lose every secret at reboot.
const ENTRY_OPTIONS = { linux: { store: 'secret-service' } } as const;
// The probe and the marker use their own services so list() never shows them.
const PROBE_SERVICE = 'agentid.probe';
const MARKER_SERVICE = 'agentid.marker';
// A locked keychain may show an unlock prompt; give a human time, but never hang forever.
const TIMEOUT_MS = 30_000;

export async function openKeychainStore(fileBackendPath: string, markerPath: string): Promise<SecretStore> {
  try {
    await probe();
  } catch (err) {
    if (isLocked(err)) throw locked(err);
    throw noKeychain(err, fileBackendPath);
  }
  const marker = await call('marker check', undefined, () => openMarker(markerPath));
  // Resolves when the keychain still is the one the secrets went to; throws why not otherwise.
  const same = () => call('marker check', undefined, () => checkMarker(marker, markerPath));
  return {
    backend: 'keychain',
    get: (name) =>
      call('read', name, async () => {
        const value = await entry(name).getPassword();
        if (value === null) await checkMarker(marker, markerPath);
        return value ?? undefined;
      }),
    set: async (name, value) => {
      await same();
      return call('write', name, () => entry(name).setPassword(value), value);
    },
    delete: (name) =>
      call('delete', name, async () => {
        const deleted = await entry(name).deleteCredential();
        if (!deleted) await checkMarker(marker, markerPath);
        return deleted;
      }),
    list: () =>
      call('list', undefined, async () => {
        const found = await findCredentialsAsync(SERVICE);
        await checkMarker(marker, markerPath);
        return [...new Set(found.map((credential) => credential.account))].sort();
      }),
  };
}

/**
 * The marker of this state dir: read its id, or (first use of the keychain) create both. An id
 * whose item is missing already means a replaced keychain, also right after a daemon restart.
 */
async function openMarker(markerPath: string): Promise<AsyncEntry> {
  let id: string | undefined;
  try {
    id = readFileSync(markerPath, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (id) {
    const marker = new AsyncEntry(MARKER_SERVICE, id, ENTRY_OPTIONS);
    await checkMarker(marker, markerPath);
    return marker;
  }
  const fresh = randomBytes(16).toString('hex');
  const marker = new AsyncEntry(MARKER_SERVICE, fresh, ENTRY_OPTIONS);
  await withTimeout(marker.setPassword('agentid keychain marker: secrets of this user are here'));
  mkdirSync(dirname(markerPath), { recursive: true, mode: 0o700 });
  writeFileSync(markerPath, `${fresh}\n`, { mode: 0o600 });
  return marker;
}

async function checkMarker(marker: AsyncEntry, markerPath: string): Promise<void> {
  if ((await withTimeout(marker.getPassword())) !== null) return;
  throw new AgentIdError(
    'ERR_SECRETS_REPLACED',
    'the OS keychain answering now is not the one agentid stored its secrets in (its marker ' +
      'item is gone: the keyring daemon was restarted with another keyring, or the item was ' +
      'deleted). Restart the keyring daemon with your keyring and unlock it; if this keychain is ' +
      `meant to replace the old one, delete ${markerPath} and store the secrets again.`,
  );
}

function entry(name: string): AsyncEntry {
  return new AsyncEntry(SERVICE, name, ENTRY_OPTIONS);
}

// Reading a missing item succeeds even on a locked or collection-less Secret Service, so only a
// write proves that secrets can be stored; listing proves the search path list() relies on.
async function probe(): Promise<void> {
  const probeEntry = new AsyncEntry(PROBE_SERVICE, 'probe', ENTRY_OPTIONS);
  await withTimeout(probeEntry.setPassword('probe'));
  await withTimeout(findCredentialsAsync(PROBE_SERVICE));
  await withTimeout(probeEntry.deleteCredential());
}

async function call<T>(
  op: string,
  name: string | undefined,
  fn: () => Promise<T>,
  value?: string,
): Promise<T> {
  try {
    return await withTimeout(fn());
  } catch (err) {
    if (err instanceof AgentIdError) throw err;
    if (isLocked(err)) throw locked(err);
    const what = name === undefined ? 'secrets' : `secret "${name}"`;
    throw new AgentIdError('ERR_SECRETS_BACKEND', `keychain ${op} of ${what} failed: ${reason(err, value)}`, {
      cause: err,
    });
  }
}

/**
 * A locked collection, as the Secret Service reports it (org.freedesktop.Secret.Error.IsLocked),
 * or its unlock prompt failing, as it does at once without a display.
 */
function isLocked(err: unknown): boolean {
  return /IsLocked|locked object|prompt was dismissed/i.test(reason(err));
}

function locked(err: unknown): AgentIdError {
  return new AgentIdError(
    'ERR_SECRETS_LOCKED',
    `the OS keychain is locked (${reason(err)}): unlock it — log in to the desktop session, or ` +
      'headless: `gnome-keyring-daemon --unlock --components=secrets` with your keyring password ' +
      'on stdin — and try again',
    { cause: err },
  );
}

function noKeychain(err: unknown, fileBackendPath: string): AgentIdError {
  return new AgentIdError(
    'ERR_SECRETS_NO_KEYCHAIN',
    `no usable OS keychain (${reason(err)}). Either start and unlock one — on Linux a Secret Service ` +
      'such as gnome-keyring running in your D-Bus session (DBUS_SESSION_BUS_ADDRESS must be set; ' +
      'headless: dbus-run-session plus `gnome-keyring-daemon --unlock --components=secrets`) — ' +
      'or opt in to storing secrets unencrypted on disk with `[secrets] backend = "file"` in ' +
      `config.toml (the file is ${fileBackendPath}, under the state dir).`,
    { cause: err },
  );
}

// Platform messages name D-Bus errors, not values; redacting the value being written guards
// against a store that ever echoes its input.
function reason(err: unknown, value?: string): string {
  const message = err instanceof Error ? err.message : String(err);
  return value ? message.replaceAll(value, '<redacted>') : message;
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${TIMEOUT_MS / 1000} s (is an unlock prompt waiting?)`)),
      TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
