/**
 * `agentid init`: writes the default policy, the commented policy examples and a commented
 * config.toml. Never overwrites: with --force an existing file is first copied to
 * `<file>.bak-<time>`, then rewritten.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { printableLines } from '../../src/printable.js';
import { type CliDeps, type CommandSpec, jsonOption, printJson } from '../command.js';
import { CONFIG_TEMPLATE } from '../config-template.js';
import { importPolicy } from '../policy-engine.js';

interface Written {
  path: string;
  action: 'wrote' | 'kept' | 'replaced';
  backup: string | null;
}

export const init: CommandSpec = {
  path: ['init'],
  summary: 'write the default policy, policy examples and a commented config.toml (never overwrites)',
  options: [
    { flags: '--force', description: 'back up existing files to <file>.bak-<time> and rewrite them' },
    jsonOption,
  ],
  examples: ['agentid init', 'agentid init --force'],
  async run({ opts }, deps) {
    const policy = await importPolicy();
    const { policyDir, configFile } = deps.paths;
    const files: [string, string][] = [
      [join(policyDir, policy.DEFAULT_POLICY_FILE), policy.defaultPolicy(deps.uid)],
      [join(policyDir, policy.EXAMPLES_FILE), policy.examplesFile()],
      [configFile, CONFIG_TEMPLATE],
    ];
    const stamp = deps.now().toISOString().replace(/[:.]/g, '-');
    const written = files.map(([path, text]) => writeOne(path, text, opts.force === true, stamp));
    if (opts.json) printJson(deps, { files: written });
    else deps.out(formatWritten(written, deps));
    return 0;
  },
};

function writeOne(path: string, text: string, force: boolean, stamp: string): Written {
  const exists = existsSync(path);
  if (exists && !force) return { path, action: 'kept', backup: null };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let backup: string | null = null;
  if (exists) {
    backup = `${path}.bak-${stamp}`;
    copyFileSync(path, backup);
  }
  // Policies and config decide who gets credentials: private to the user, like the rest.
  writeFileSync(path, text, { mode: 0o600 });
  return { path, action: exists ? 'replaced' : 'wrote', backup };
}

function formatWritten(written: readonly Written[], deps: CliDeps): string {
  const lines = written.map((w) =>
    w.action === 'kept'
      ? `kept     ${w.path} (exists; --force backs it up and rewrites it)`
      : `${w.action.padEnd(8)} ${w.path}${w.backup ? ` (backup: ${w.backup})` : ''}`,
  );
  lines.push(`check the policies with: agentid policy check (policy dir ${deps.paths.policyDir})`);
  return printableLines(lines);
}
