/**
 * `[sandbox]`: how `agentid exec` confines its command (src/sandbox). `mode` is the default of
 * `--sandbox`; `dbus` makes the session bus (and with it the keychain) reachable inside; `share`
 * names further host paths that stay reachable after the sandbox hides their parent (e.g. an
 * ssh-agent socket in $XDG_RUNTIME_DIR). Paths must be absolute.
 */
import { posix } from 'node:path';
import { AgentIdError } from '../errors.js';

export const SANDBOX_MODES = ['require', 'auto', 'off'] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

export interface SandboxConfig {
  mode: SandboxMode;
  dbus: boolean;
  share: string[];
}

export function defaultSandboxConfig(): SandboxConfig {
  return { mode: 'auto', dbus: false, share: [] };
}

export function isSandboxMode(value: unknown): value is SandboxMode {
  return (SANDBOX_MODES as readonly unknown[]).includes(value);
}

export function parseSandboxConfig(table: Record<string, unknown>, source: string): SandboxConfig {
  const fail = (message: string): never => {
    throw new AgentIdError('ERR_CONFIG_INVALID', `${source}: [sandbox] ${message}`);
  };
  const config = defaultSandboxConfig();
  for (const [key, value] of Object.entries(table)) {
    switch (key) {
      case 'mode':
        if (!isSandboxMode(value)) fail(`mode must be one of ${SANDBOX_MODES.join(', ')}`);
        config.mode = value as SandboxMode;
        break;
      case 'dbus':
        if (typeof value !== 'boolean') fail('dbus must be true or false');
        config.dbus = value as boolean;
        break;
      case 'share':
        if (!Array.isArray(value) || !value.every(isAbsolutePath)) {
          fail('share must be a list of absolute paths without "." or ".." segments');
        }
        config.share = [...(value as string[])];
        break;
      default:
        fail(`unknown key "${key}"; known: mode, dbus, share`);
    }
  }
  return config;
}

function isAbsolutePath(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith('/') && posix.normalize(value) === value;
}
