/**
 * OS keychain backend through @napi-rs/keyring: macOS Keychain, Windows Credential Manager, and
 * on Linux the freedesktop Secret Service (gnome-keyring, KWallet, KeePassXC). One item per
 * secret, service "agentid" and account = secret name; on Linux these are the item attributes
 * `service` and `username`, so `secret-tool lookup service agentid username NAME` reads one.
 * Only the async API is used so a slow keychain never blocks the daemon's event loop.
 */
import { AsyncEntry, findCredentialsAsync } from '@napi-rs/keyring';
import { AgentIdError } from '../errors.js';
import type { SecretStore } from './types.js';

const SERVICE = 'agentid';
// Unpinned entries silently fall back to the kernel keyutils keyring when no Secret Service is
// reachable; that store is in-memory only and would lose every secret at reboot.
const ENTRY_OPTIONS = { linux: { store: 'secret-service' } } as const;
// The probe uses its own service so a concurrent list() never shows it.
const PROBE_SERVICE = 'agentid.probe';
// A locked keychain may show an unlock prompt; give a human time, but never hang forever.
const TIMEOUT_MS = 30_000;

export async function openKeychainStore(fileBackendPath: string): Promise<SecretStore> {
  try {
    await probe();
  } catch (err) {
    throw noKeychain(err, fileBackendPath);
  }
  return {
    backend: 'keychain',
    get: (name) => call('read', name, async () => (await entry(name).getPassword()) ?? undefined),
    set: (name, value) => call('write', name, () => entry(name).setPassword(value), value),
    delete: (name) => call('delete', name, () => entry(name).deleteCredential()),
    list: () =>
      call('list', undefined, async () => {
        const found = await findCredentialsAsync(SERVICE);
        return [...new Set(found.map((credential) => credential.account))].sort();
      }),
  };
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
    const what = name === undefined ? 'secrets' : `secret "${name}"`;
    throw new AgentIdError('ERR_SECRETS_BACKEND', `keychain ${op} of ${what} failed: ${reason(err, value)}`, {
      cause: err,
    });
  }
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
