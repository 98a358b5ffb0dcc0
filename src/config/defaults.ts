/** The embedded defaults: what runs when there is no config.toml. */
import { defaultAuditShipConfig } from './audit-ship.js';
import { BUILTIN_IDENTITY } from './credentials.js';
import { defaultGatewayConfig } from './http.js';
import { defaultMcpConfig } from './mcp.js';
import { defaultPolicyConfig } from './policy.js';
import type { Config } from './validate.js';

export function defaultConfig(): Config {
  return {
    secrets: { backend: 'keychain' },
    daemon: {
      maxConnections: 256,
      maxBodyBytes: 64 * 1024,
      maxHeaderBytes: 16 * 1024,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      // Clients send their small JSON body with the headers: seconds are plenty.
      bodyTimeoutMs: 5_000,
      keepAliveTimeoutMs: 5_000,
    },
    agents: [],
    // Big enough for any agent binary in the wild (a bundled Node app is ~100 MiB); the cap keeps
    // one request from reading gigabytes.
    attest: { maxHashBytes: 512 * 1024 * 1024 },
    audit: { retainDays: 90, ship: defaultAuditShipConfig() },
    policy: defaultPolicyConfig(),
    credentials: [BUILTIN_IDENTITY],
    jwt: { issuer: 'https://agentid.local' },
    idp: null,
    mcp: defaultMcpConfig(),
    http: [],
    gateway: defaultGatewayConfig(),
  };
}
