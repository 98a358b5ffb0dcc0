/**
 * Schema of config.toml, checked by hand: the shape is small and a hand check gives messages
 * that name the exact key (`[daemon] max_connections must be an integer between 1 and 10000`).
 */
import { AgentIdError } from '../errors.js';
import { defaultConfig } from './defaults.js';

export interface Config {
  secrets: { backend: 'keychain' | 'file' };
  daemon: {
    maxConnections: number;
    maxBodyBytes: number;
    maxHeaderBytes: number;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
  };
}

type Table = Record<string, unknown>;

const integerKeys = {
  max_connections: ['maxConnections', 1, 10_000],
  max_body_bytes: ['maxBodyBytes', 1024, 1024 * 1024],
  max_header_bytes: ['maxHeaderBytes', 1024, 64 * 1024],
  headers_timeout_ms: ['headersTimeoutMs', 100, 120_000],
  request_timeout_ms: ['requestTimeoutMs', 100, 600_000],
  keep_alive_timeout_ms: ['keepAliveTimeoutMs', 100, 600_000],
} as const satisfies Record<string, readonly [keyof Config['daemon'], number, number]>;

export function validateConfig(doc: Table, source: string): Config {
  const config = defaultConfig();
  const fail = (message: string): never => {
    throw new AgentIdError('ERR_CONFIG_INVALID', `${source}: ${message}`);
  };

  for (const [section, value] of Object.entries(doc)) {
    if (!isTable(value)) fail(`"${section}" must be a table ([${section}])`);
    const table = value as Table;
    switch (section) {
      case 'secrets':
        for (const [key, v] of Object.entries(table)) {
          if (key !== 'backend') fail(`unknown key "${key}" in [secrets]`);
          if (v !== 'keychain' && v !== 'file') fail('[secrets] backend must be "keychain" or "file"');
          config.secrets.backend = v as Config['secrets']['backend'];
        }
        break;
      case 'daemon':
        for (const [key, v] of Object.entries(table)) {
          const spec = integerKeys[key as keyof typeof integerKeys];
          if (!spec) fail(`unknown key "${key}" in [daemon]`);
          const [field, min, max] = spec;
          if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
            fail(`[daemon] ${key} must be an integer between ${min} and ${max}`);
          }
          config.daemon[field] = v as number;
        }
        break;
      default:
        fail(`unknown table [${section}]`);
    }
  }
  return config;
}

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
