/**
 * The one place long-lived material (refresh tokens, signing keys, base keys) lives. The OS
 * keychain is the default; a plain file is an explicit, warned-about opt-in; never is one
 * silently swapped for the other. Callers get a small async key/value store of named secrets
 * and never learn where a value sits, so no value reaches a log, an error or the audit log.
 */
import { AgentIdError } from '../errors.js';
import { openFileStore } from './file.js';
import { createMemoryStore } from './memory.js';
import type { SecretBackend, SecretStore } from './types.js';

export type { SecretBackend, SecretStore } from './types.js';

// Names become keychain accounts and JSON keys and show up in CLI output and audit rows: keep
// them printable, unambiguous and short. A leading letter or digit rules out flags and dotfiles.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

export function validateSecretName(name: string): void {
  if (typeof name === 'string' && NAME.test(name)) return;
  const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 140)) : typeof name;
  throw new AgentIdError(
    'ERR_SECRETS_INVALID_NAME',
    `invalid secret name ${shown}: use 1-128 of A-Z a-z 0-9 . _ : / -, starting with a letter or digit`,
  );
}

export async function openSecretStore(opts: {
  backend: SecretBackend;
  filePath: string;
  /** The keychain marker's id file (see keychain.ts). */
  markerPath: string;
  warn: (message: string) => void;
}): Promise<SecretStore> {
  if (opts.backend === 'file') {
    const store = await openFileStore(opts.filePath);
    opts.warn(
      `secrets are stored unencrypted on disk in ${opts.filePath} ([secrets] backend = "file"); ` +
        'the OS keychain is preferred: remove that setting once one is available',
    );
    return checked(store);
  }
  // The native keyring module is loaded only when a secret is first used (the daemon opens the
  // store lazily), so a daemon that never needs one does not carry it.
  const { openKeychainStore } = await import('./keychain.js');
  return checked(await openKeychainStore(opts.filePath, opts.markerPath));
}

/** A fresh in-memory store, for unit tests of the layers that take a SecretStore. */
export function memorySecretStore(): SecretStore {
  return checked(createMemoryStore());
}

// Every backend sees only valid names, so the rules cannot drift between them.
function checked(store: SecretStore): SecretStore {
  return {
    backend: store.backend,
    get: async (name) => {
      validateSecretName(name);
      return store.get(name);
    },
    set: async (name, value) => {
      validateSecretName(name);
      return store.set(name, value);
    },
    delete: async (name) => {
      validateSecretName(name);
      return store.delete(name);
    },
    list: () => store.list(),
  };
}
