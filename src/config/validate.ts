/**
 * Schema of config.toml, checked by hand: the shape is small and a hand check gives messages
 * that name the exact key (`[daemon] max_connections must be an integer between 1 and 10000`).
 * `[agents.<name>]` tables belong to src/agents, which owns their rules.
 */
import { type AgentDefinition, parseAgentDefinitions } from '../agents/index.js';
import { AgentIdError } from '../errors.js';
import { type AuditShipConfig, parseAuditShipConfig } from './audit-ship.js';
import { type CredentialConfig, parseCredentials } from './credentials.js';
import {
  checkHttpRoutes,
  type GatewayConfig,
  type HttpRouteConfig,
  parseGateway,
  parseHttpRoutes,
} from './http.js';
import { type IdpConfig, parseIdpConfig } from './idp.js';
import { type McpConfig, parseMcpConfig } from './mcp.js';
import { type PolicyConfig, parsePolicyConfig } from './policy.js';

export interface Config {
  secrets: { backend: 'keychain' | 'file' };
  daemon: {
    maxConnections: number;
    maxBodyBytes: number;
    maxHeaderBytes: number;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    /** From a request's headers to the last byte of its body: a slow body is cut at this deadline. */
    bodyTimeoutMs: number;
    keepAliveTimeoutMs: number;
  };
  /** From `[agents.<name>]` tables; none by default, so every caller is `unknown` or declared. */
  agents: AgentDefinition[];
  attest: {
    /** Larger executables are not hashed (their sha256 is null): hashing reads the whole file. */
    maxHashBytes: number;
  };
  /**
   * `[audit]`: rows older than retainDays are pruned by the daemon (at start and daily);
   * `[audit.ship]`: the collectors the daemon ships rows to.
   */
  audit: { retainDays: number; ship: AuditShipConfig };
  /** `[policy]`: the policy set from a git repository instead of (or with) the policy dir. */
  policy: PolicyConfig;
  /** From `[credentials.<name>]`, plus the built-in `identity` JWT. */
  credentials: CredentialConfig[];
  jwt: { issuer: string };
  /** `[idp]`: SSO login; null keeps the human local (`idp=local`). */
  idp: IdpConfig | null;
  /** `[mcp]`: the `agentid mcp` proxy (tool-level policy and audit). */
  mcp: McpConfig;
  /** `[http.<name>]`: routes of the secretless gateway (`agentid exec --http`). */
  http: HttpRouteConfig[];
  /** `[gateway]`: how the gateway treats other hosts, and its bounds. */
  gateway: GatewayConfig;
}

type Table = Record<string, unknown>;
/** TOML key → [Config field, min, max]. */
type IntegerSpecs<T> = Record<string, readonly [keyof T, number, number]>;

const MiB = 1024 * 1024;

const daemonKeys = {
  max_connections: ['maxConnections', 1, 10_000],
  max_body_bytes: ['maxBodyBytes', 1024, 1024 * 1024],
  max_header_bytes: ['maxHeaderBytes', 1024, 64 * 1024],
  headers_timeout_ms: ['headersTimeoutMs', 100, 120_000],
  request_timeout_ms: ['requestTimeoutMs', 100, 600_000],
  body_timeout_ms: ['bodyTimeoutMs', 100, 600_000],
  keep_alive_timeout_ms: ['keepAliveTimeoutMs', 100, 600_000],
} as const satisfies IntegerSpecs<Config['daemon']>;

const auditKeys = {
  retain_days: ['retainDays', 1, 36_500],
} as const satisfies IntegerSpecs<Omit<Config['audit'], 'ship'>>;

const attestKeys = {
  max_hash_bytes: ['maxHashBytes', MiB, 8 * 1024 * MiB],
} as const satisfies IntegerSpecs<Config['attest']>;

/** `doc` checked and merged over `defaults` (a fresh copy: it is filled in place). */
export function validateConfig(doc: Table, source: string, defaults: Config): Config {
  const config = defaults;
  function fail(message: string): never {
    throw new AgentIdError('ERR_CONFIG_INVALID', `${source}: ${message}`);
  }

  for (const [section, value] of Object.entries(doc)) {
    if (!isTable(value)) fail(`"${section}" must be a table ([${section}])`);
    switch (section) {
      case 'secrets':
        for (const [key, v] of Object.entries(value)) {
          if (key !== 'backend') fail(`unknown key "${key}" in [secrets]`);
          if (v !== 'keychain' && v !== 'file') fail('[secrets] backend must be "keychain" or "file"');
          config.secrets.backend = v;
        }
        break;
      case 'daemon':
        readIntegers(section, value, daemonKeys, config.daemon, fail);
        break;
      case 'attest':
        readIntegers(section, value, attestKeys, config.attest, fail);
        break;
      case 'audit': {
        const { ship, ...retention } = value;
        readIntegers(section, retention, auditKeys, config.audit, fail);
        if (ship !== undefined) {
          if (!isTable(ship)) fail('"audit.ship" must be a table ([audit.ship])');
          config.audit.ship = parseAuditShipConfig(ship as Table, source);
        }
        break;
      }
      case 'policy':
        config.policy = parsePolicyConfig(value, source);
        break;
      case 'agents':
        config.agents = parseAgentDefinitions(value, source);
        break;
      case 'credentials':
        config.credentials = parseCredentials(value, source);
        break;
      case 'jwt':
        for (const [key, v] of Object.entries(value)) {
          if (key !== 'issuer') fail(`unknown key "${key}" in [jwt]`);
          if (typeof v !== 'string' || !/^https?:\/\/\S+$/.test(v))
            fail('[jwt] issuer must be an http(s) URL');
          config.jwt.issuer = v as string;
        }
        break;
      case 'idp':
        config.idp = parseIdpConfig(value, source);
        break;
      case 'mcp':
        config.mcp = parseMcpConfig(value, source);
        break;
      case 'http':
        config.http = parseHttpRoutes(value, fail);
        break;
      case 'gateway':
        config.gateway = parseGateway(value, fail);
        break;
      default:
        fail(`unknown table [${section}]`);
    }
  }
  // After the loop: [credentials] may come after [http] in the file.
  config.http = checkHttpRoutes(config.http, config.credentials, fail);
  return config;
}

function readIntegers<T extends Record<string, unknown>>(
  section: string,
  table: Table,
  specs: IntegerSpecs<T>,
  target: T,
  fail: (message: string) => never,
): void {
  for (const [key, v] of Object.entries(table)) {
    const spec = specs[key];
    if (!spec) fail(`unknown key "${key}" in [${section}]`);
    const [field, min, max] = spec;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      fail(`[${section}] ${key} must be an integer between ${min} and ${max}`);
    }
    target[field] = v as T[keyof T];
  }
}

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
