/**
 * The daemon's ES256 signing keys. The current private key lives in the secret store (OS
 * keychain), generated on first use; `kid` is its RFC 7638 thumbprint. A rotated-out key stays
 * in the JWKS until every token it signed has expired, and among the keys that verify audit
 * checkpoints for good. Without a usable secret store the daemon
 * signs with a key held in memory for its lifetime and says so: the embedded defaults must work
 * on a headless machine, but nobody should believe such tokens survive a restart.
 */
import type { webcrypto } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { SecretStore } from '../../secrets/index.js';

/** Secret-store entry holding the keys; the `agentid.` prefix is reserved for the daemon. */
export const SIGNING_KEYS_SECRET = 'agentid.jwt-signing-keys';

interface StoredKeys {
  current: JWK;
  /** Public halves of rotated-out keys, published until `until` and kept for good (checkpoints). */
  previous: { jwk: JWK; until: string }[];
}

export interface SigningKey {
  kid: string;
  privateKey: webcrypto.CryptoKey;
}

export interface SigningKeysOptions {
  /** Opens the secret store; a failure means "no keychain": fall back to memory. */
  secrets: () => Promise<SecretStore>;
  now: () => Date;
  /** Longest lifetime of a token, so a rotated key is published as long as its tokens live. */
  maxTokenTtlMs: number;
  warn: (message: string) => void;
}

export class SigningKeys {
  readonly #options: SigningKeysOptions;
  #loaded: Promise<{ keys: StoredKeys; current: SigningKey }> | undefined;
  #store: SecretStore | null = null;
  #storage: 'secret-store' | 'memory' | 'not yet loaded' = 'not yet loaded';

  constructor(options: SigningKeysOptions) {
    this.#options = options;
  }

  /** Where the private key lives: `agentid status` shows it. */
  get storage(): string {
    return this.#storage;
  }

  async current(): Promise<SigningKey> {
    return (await this.#load()).current;
  }

  /** The public keys (current + those still covering unexpired tokens) as a JWKS document. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const { keys } = await this.#load();
    const now = this.#options.now().getTime();
    const live = keys.previous.filter((p) => Date.parse(p.until) > now).map((p) => p.jwk);
    return { keys: [publicHalf(keys.current), ...live] };
  }

  /**
   * Every public key this daemon has signed with: current and all rotated-out ones, however old.
   * Signed audit checkpoints outlive any token, so they must stay verifiable after jwks() has
   * stopped publishing their key.
   */
  async verificationKeys(): Promise<{ keys: JWK[] }> {
    const { keys } = await this.#load();
    return { keys: [publicHalf(keys.current), ...keys.previous.map((p) => p.jwk)] };
  }

  /** New current key; the old one stays published until its last token expires. */
  async rotate(): Promise<{ kid: string; previousKid: string }> {
    const { keys, current: old } = await this.#load();
    const until = new Date(this.#options.now().getTime() + this.#options.maxTokenTtlMs).toISOString();
    const fresh = await generate();
    const next: StoredKeys = {
      current: fresh,
      previous: [...keys.previous, { jwk: publicHalf(keys.current), until }],
    };
    await this.#save(next);
    const current = await toSigningKey(fresh);
    this.#loaded = Promise.resolve({ keys: next, current });
    return { kid: current.kid, previousKid: old.kid };
  }

  #load(): Promise<{ keys: StoredKeys; current: SigningKey }> {
    this.#loaded ??= this.#open().catch((err: unknown) => {
      this.#loaded = undefined;
      throw err;
    });
    return this.#loaded;
  }

  async #open(): Promise<{ keys: StoredKeys; current: SigningKey }> {
    try {
      this.#store = await this.#options.secrets();
    } catch (err) {
      this.#options.warn(
        `JWT signing key kept in memory only (${(err as Error).message.split('.')[0]}); ` +
          'tokens will not verify after a daemon restart',
      );
    }
    const stored = this.#store ? await this.#store.get(SIGNING_KEYS_SECRET) : undefined;
    const keys: StoredKeys = stored
      ? (JSON.parse(stored) as StoredKeys)
      : { current: await generate(), previous: [] };
    if (!stored) await this.#save(keys);
    this.#storage = this.#store ? 'secret-store' : 'memory';
    return { keys, current: await toSigningKey(keys.current) };
  }

  async #save(keys: StoredKeys): Promise<void> {
    if (this.#store) await this.#store.set(SIGNING_KEYS_SECRET, JSON.stringify(keys));
  }
}

async function generate(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'ES256', use: 'sig' };
}

async function toSigningKey(jwk: JWK): Promise<SigningKey> {
  return { kid: jwk.kid ?? '', privateKey: (await importJWK(jwk, 'ES256')) as webcrypto.CryptoKey };
}

function publicHalf({ d: _private, ...rest }: JWK): JWK {
  return rest;
}
