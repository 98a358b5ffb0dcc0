/**
 * Golden tests of the service definitions `agentid daemon install` writes, and of where they go.
 * Regenerate a golden only after reading the diff: these files end up in users' service managers.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderLaunchdPlist, renderSystemdUnit, servicePlan } from '../../cli/service-unit.js';

const golden = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

const input = {
  node: '/usr/local/bin/node',
  script: '/usr/local/lib/node_modules/agentid/dist/cli/main.js',
  agentidHome: null,
  stateDir: '/Users/ada/.local/state/agentid',
};

describe('service definitions', () => {
  it('renders the systemd user unit', () => {
    expect(renderSystemdUnit(input)).toBe(golden('agentid.service'));
  });

  it('renders the launchd agent plist', () => {
    expect(renderLaunchdPlist(input)).toBe(golden('dev.agentid.daemon.plist'));
  });

  it('quotes paths with spaces and escapes systemd specifiers and XML', () => {
    const odd = {
      ...input,
      node: '/opt/my node/bin/node',
      script: '/home/a"b/100%/main.js',
      agentidHome: '/x y',
    };
    const unit = renderSystemdUnit(odd);
    expect(unit).toContain('ExecStart="/opt/my node/bin/node" "/home/a\\"b/100%%/main.js" daemon run');
    expect(unit).toContain('Environment="AGENTID_HOME=/x y"');
    const plist = renderLaunchdPlist({ ...odd, script: '/a&b<c>/main.js' });
    expect(plist).toContain('<string>/a&#38;b&#60;c&#62;/main.js</string>');
    expect(plist).toContain('<key>AGENTID_HOME</key>');
  });

  it('goes to XDG_CONFIG_HOME (or ~/.config) on Linux, ~/Library/LaunchAgents on macOS, nowhere else', () => {
    expect(servicePlan('linux', { XDG_CONFIG_HOME: '/xdg' }, '/home/ada', input)?.path).toBe(
      '/xdg/systemd/user/agentid.service',
    );
    expect(servicePlan('linux', {}, '/home/ada', input)?.path).toBe(
      '/home/ada/.config/systemd/user/agentid.service',
    );
    const mac = servicePlan('darwin', {}, '/Users/ada', input);
    expect(mac?.path).toBe('/Users/ada/Library/LaunchAgents/dev.agentid.daemon.plist');
    expect(mac?.enable).toEqual([
      'launchctl bootstrap gui/$(id -u) /Users/ada/Library/LaunchAgents/dev.agentid.daemon.plist',
    ]);
    expect(servicePlan('win32', {}, 'C:\\', input)).toBeNull();
  });
});
