/** The secret store's contract, shared by its backends (keychain, file, memory) and the layer's door. */

export type SecretBackend = 'keychain' | 'file';

export interface SecretStore {
  readonly backend: SecretBackend | 'memory';
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  /** false when absent */
  delete(name: string): Promise<boolean>;
  /** Names only, sorted. */
  list(): Promise<string[]>;
}
