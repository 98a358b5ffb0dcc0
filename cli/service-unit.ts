/**
 * The service definitions `agentid daemon install` writes: a systemd user unit (Linux) and a
 * launchd agent plist (macOS), both running `agentid daemon run` in the foreground so the service
 * manager owns restarts and logs. Pure renderers with golden tests; where they go and how to
 * enable them is part of the plan, so `--print` and the real run show the same thing.
 */
import { join } from 'node:path';
import type { Env } from '../src/paths.js';

export interface ServiceInput {
  /** Absolute paths of node and of agentid's cli/main.js. */
  node: string;
  script: string;
  /** AGENTID_HOME of the installing shell, kept so the service serves the same files. */
  agentidHome: string | null;
  /** For the launchd log file (launchd has no journal). */
  stateDir: string;
}

export interface ServicePlan {
  kind: 'systemd' | 'launchd';
  path: string;
  text: string;
  /** Shell commands that enable and start it. */
  enable: string[];
}

export const LAUNCHD_LABEL = 'dev.agentid.daemon';

/** systemd: a word with spaces or quotes is double-quoted, `\` and `"` escaped; `%` is a specifier. */
function systemdWord(word: string): string {
  const escaped = word.replaceAll('%', '%%');
  return /^[\w./:@+=,-]+$/.test(escaped) ? escaped : `"${escaped.replace(/["\\]/g, '\\$&')}"`;
}

export function renderSystemdUnit(input: ServiceInput): string {
  const lines = [
    '[Unit]',
    'Description=agentid credential broker for AI agents',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${[input.node, input.script, 'daemon', 'run'].map(systemdWord).join(' ')}`,
    ...(input.agentidHome ? [`Environment=${systemdWord(`AGENTID_HOME=${input.agentidHome}`)}`] : []),
    // SIGTERM lets in-flight requests finish and closes the audit DB (daemon/main.ts).
    'KillSignal=SIGTERM',
    'TimeoutStopSec=15',
    'Restart=on-failure',
    'RestartSec=2',
    'UMask=0077',
    'NoNewPrivileges=yes',
    '',
    '[Install]',
    'WantedBy=default.target',
  ];
  return `${lines.join('\n')}\n`;
}

function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderLaunchdPlist(input: ServiceInput): string {
  const args = [input.node, input.script, 'daemon', 'run'].map((a) => `    <string>${xml(a)}</string>`);
  const log = xml(join(input.stateDir, 'daemon.log'));
  const env = input.agentidHome
    ? [
        '  <key>EnvironmentVariables</key>',
        '  <dict>',
        '    <key>AGENTID_HOME</key>',
        `    <string>${xml(input.agentidHome)}</string>`,
        '  </dict>',
      ]
    : [];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    '  <key>Label</key>',
    `  <string>${LAUNCHD_LABEL}</string>`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...args,
    '  </array>',
    ...env,
    '  <key>RunAtLoad</key>',
    '  <true/>',
    '  <key>KeepAlive</key>',
    '  <dict>',
    '    <key>SuccessfulExit</key>',
    '    <false/>',
    '  </dict>',
    '  <key>Umask</key>',
    '  <integer>63</integer>',
    '  <key>StandardOutPath</key>',
    `  <string>${log}</string>`,
    '  <key>StandardErrorPath</key>',
    `  <string>${log}</string>`,
    '</dict>',
    '</plist>',
  ];
  return `${lines.join('\n')}\n`;
}

/** Where the definition goes and how to turn it on, for this platform and environment. */
export function servicePlan(
  platform: NodeJS.Platform,
  env: Env,
  home: string,
  input: ServiceInput,
): ServicePlan | null {
  if (platform === 'linux') {
    const configHome = env.XDG_CONFIG_HOME || join(home, '.config');
    return {
      kind: 'systemd',
      path: join(configHome, 'systemd', 'user', 'agentid.service'),
      text: renderSystemdUnit(input),
      enable: ['systemctl --user daemon-reload', 'systemctl --user enable --now agentid.service'],
    };
  }
  if (platform === 'darwin') {
    const path = join(home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
    return {
      kind: 'launchd',
      path,
      text: renderLaunchdPlist(input),
      enable: [`launchctl bootstrap gui/$(id -u) ${path}`],
    };
  }
  return null;
}
