/** The config.toml `agentid init` writes: valid as written, and each table valid once uncommented. */
import { describe, expect, it } from 'vitest';
import { CONFIG_TEMPLATE } from '../../cli/config-template.js';
import { defaultConfig, parseConfig } from '../../src/config/index.js';

describe('CONFIG_TEMPLATE', () => {
  it('changes nothing as written', () => {
    expect(parseConfig(CONFIG_TEMPLATE, 'config.toml')).toEqual(defaultConfig());
  });

  it('parses with every setting uncommented', () => {
    const uncommented = CONFIG_TEMPLATE.split('\n')
      .map((line) => (/^# (\[|[a-z_]+ = )/.test(line) ? line.slice(2) : line))
      .join('\n');
    expect(uncommented).toContain('\n[agents.claude]\n');
    expect(() =>
      parseConfig(uncommented.replace('<sha256 of the running executable>', 'a'.repeat(64)), 'c'),
    ).not.toThrow();
  });
});
