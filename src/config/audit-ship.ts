/**
 * `[audit.ship]`: where the daemon ships its audit log for a team's collectors. A syslog target
 * (`tcp://host:port`, `udp://host:port` or `unix:///dev/log`) and an OCSF JSON-lines file with
 * size-based rotation, either or both. Checked strictly here so a typo in a URL is a start-up
 * error naming the key, not a shipper that silently retries a host that will never answer.
 */
import { isAbsolute } from 'node:path';
import { AgentIdError } from '../errors.js';

export type SyslogTarget =
  | { transport: 'tcp' | 'udp'; host: string; port: number; url: string }
  | { transport: 'unix'; path: string; url: string };

export interface JsonlFileTarget {
  path: string;
  /** The file is rotated (renamed to `<path>.1`, …) before a line would take it past this size. */
  maxBytes: number;
  /** Rotated files kept: `<path>.1` (newest) to `<path>.<keep>`. */
  keep: number;
  /** Mode of files the daemon creates: private by default, group-readable for a collector's group. */
  mode: number;
}

export interface AuditShipConfig {
  syslog: SyslogTarget | null;
  /** RFC 5424 facility code of the syslog messages (default 10, authpriv). */
  facility: number;
  file: JsonlFileTarget | null;
}

/** RFC 5424 section 6.2.1, facility names as syslog.conf spells them. */
export const FACILITIES: Readonly<Record<string, number>> = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  security: 13,
  console: 14,
  clock: 15,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

const MiB = 1024 * 1024;
const FILE_MODES: Readonly<Record<string, number>> = { '0600': 0o600, '0640': 0o640, '0644': 0o644 };

export function defaultAuditShipConfig(): AuditShipConfig {
  return { syslog: null, facility: FACILITIES.authpriv as number, file: null };
}

export function parseAuditShipConfig(table: Record<string, unknown>, source: string): AuditShipConfig {
  const fail = (message: string): never => {
    throw new AgentIdError('ERR_CONFIG_INVALID', `${source}: [audit.ship] ${message}`);
  };
  const config = defaultAuditShipConfig();
  const file = { path: '', maxBytes: 10 * MiB, keep: 5, mode: 0o600 };
  let fileKeys = false;
  for (const [key, value] of Object.entries(table)) {
    switch (key) {
      case 'syslog':
        if (typeof value !== 'string') fail('syslog must be a URL string, e.g. "tcp://127.0.0.1:514"');
        config.syslog = parseSyslogUrl(value as string, fail);
        break;
      case 'facility': {
        const code = typeof value === 'string' ? FACILITIES[value] : undefined;
        if (code === undefined) fail(`facility must be one of ${Object.keys(FACILITIES).join(', ')}`);
        config.facility = code as number;
        break;
      }
      case 'file':
        if (typeof value !== 'string' || !isAbsolute(value) || value.endsWith('/'))
          fail('file must be the absolute path of a file, e.g. "/var/log/agentid/ocsf.jsonl"');
        file.path = value as string;
        break;
      case 'file_max_bytes':
        file.maxBytes = integer(key, value, 64 * 1024, 1024 * MiB, fail);
        fileKeys = true;
        break;
      case 'file_keep':
        file.keep = integer(key, value, 1, 100, fail);
        fileKeys = true;
        break;
      case 'file_mode': {
        const mode = typeof value === 'string' ? FILE_MODES[value] : undefined;
        if (mode === undefined) fail(`file_mode must be one of "${Object.keys(FILE_MODES).join('", "')}"`);
        file.mode = mode as number;
        fileKeys = true;
        break;
      }
      default:
        fail(`unknown key "${key}"`);
    }
  }
  if (file.path !== '') config.file = file;
  else if (fileKeys) fail('file_max_bytes, file_keep and file_mode need file = "<path>"');
  return config;
}

/** `tcp://host:port`, `udp://host:port` (IPv6 in brackets) or `unix:///absolute/path`. */
export function parseSyslogUrl(text: string, fail: (message: string) => never): SyslogTarget {
  const unix = /^unix:\/\/(\/.*)$/.exec(text);
  if (unix) {
    const path = unix[1] as string;
    if (path.endsWith('/')) fail(`syslog ${text}: the unix socket path must name a socket`);
    return { transport: 'unix', path, url: text };
  }
  const net = /^(tcp|udp):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  if (!net)
    fail(`syslog must be tcp://host:port, udp://host:port or unix:///path (got ${JSON.stringify(text)})`);
  const [, transport, rawHost, rawPort] = net as RegExpExecArray;
  const port = Number(rawPort);
  if (port < 1 || port > 65_535) fail(`syslog ${text}: the port must be between 1 and 65535`);
  const host = (rawHost as string).replace(/^\[(.*)\]$/, '$1');
  return { transport: transport as 'tcp' | 'udp', host, port, url: text };
}

function integer(
  key: string,
  value: unknown,
  min: number,
  max: number,
  fail: (message: string) => never,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    fail(`${key} must be an integer between ${min} and ${max}`);
  return value as number;
}
