/**
 * The `static` provider: a long-lived secret from the store, handed out per policy. It cannot be
 * narrowed or expired, so each hand-out is read fresh from the store (a rotated secret applies at
 * once) and carries only a short lease: the lease is what git is told in `password_expiry_utc`,
 * and it is shorter than the cache's refresh margin, so the cache never keeps a static secret.
 */
import { createHash } from 'node:crypto';
import type { StaticCredentialConfig } from '../../config/index.js';
import { AgentIdError } from '../../errors.js';
import type { SecretStore } from '../../secrets/index.js';
import type { Issued, Provider } from '../types.js';

export const STATIC_LEASE_SECONDS = 300;

export interface StaticProviderOptions {
  credential: StaticCredentialConfig;
  secrets: () => Promise<SecretStore>;
  now: () => Date;
}

export function staticProvider(options: StaticProviderOptions): Provider<string> {
  const { credential } = options;
  return {
    type: 'static',
    async issue(): Promise<Issued<string>> {
      const value = await (await options.secrets()).get(credential.secret);
      if (value === undefined || value === '') {
        throw new AgentIdError(
          'ERR_STATIC_NOT_SET',
          `secret ${credential.secret} of credential ${credential.name} is not set: agentid secret set ${credential.secret}`,
        );
      }
      return {
        value,
        expiresAt: new Date(options.now().getTime() + STATIC_LEASE_SECONDS * 1000),
        fingerprint: createHash('sha256').update(value).digest('hex'),
        // The audit row says so: this secret outlives the lease, which is all that expires.
        details: { secret: credential.secret, lifetime: 'long-lived', lease: `${STATIC_LEASE_SECONDS}s` },
        longLived: true,
      };
    },
  };
}
