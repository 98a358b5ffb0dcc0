/**
 * In-memory secret store: the seam other layers' unit tests use instead of a real keychain.
 * Never selected by config; it forgets everything when the process exits.
 */
import type { SecretStore } from './types.js';

export function createMemoryStore(): SecretStore {
  const secrets = new Map<string, string>();
  return {
    backend: 'memory',
    get: async (name) => secrets.get(name),
    set: async (name, value) => {
      secrets.set(name, value);
    },
    delete: async (name) => secrets.delete(name),
    list: async () => [...secrets.keys()].sort(),
  };
}
