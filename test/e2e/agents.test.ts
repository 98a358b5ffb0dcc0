/**
 * Agent definitions end to end: a binary named by the sha256 of its running inode, which stops
 * matching once the file holds other bytes; config errors that name file, table and key.
 */

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath, collect, type Home, makeHome, runCli, startDaemon } from './harness.js';

interface Whoami {
  agent: { name: string; evidence: string; matched: string[] };
  attestation: { exe: string; sha256: string | null };
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('agent definitions', () => {
  let home: Home;
  afterEach(() => home.cleanup());

  it('names a binary by sha256, and not once the file holds different bytes', async () => {
    home = makeHome();
    const bin = join(home.dir, 'bin');
    mkdirSync(bin);
    const agentExe = join(bin, 'agent-node');
    copyFileSync(process.execPath, agentExe);
    const digest = sha256(agentExe);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(home.dir, 'config.toml'), `[agents.testagent]\nsha256 = "${digest}"\n`);
    const daemon = await startDaemon(home);
    try {
      const run = async () => {
        const out = await collect(spawn(agentExe, [cliPath, 'whoami', '--json'], { env: home.env }));
        expect(out.stderr).toBe('');
        return JSON.parse(out.stdout) as Whoami;
      };
      const matched = await run();
      expect(matched.attestation.exe).toBe(agentExe);
      expect(matched.attestation.sha256).toBe(digest);
      expect(matched.agent).toMatchObject({
        name: 'testagent',
        evidence: 'selector-sha256',
        matched: ['sha256'],
      });

      // Same path, other bytes (still a runnable node: trailing bytes are ignored by the loader).
      unlinkSync(agentExe);
      copyFileSync(process.execPath, agentExe);
      appendFileSync(agentExe, Buffer.from('\0agentid: not the binary the policy trusts\0'));
      const changed = await run();
      expect(changed.attestation.exe).toBe(agentExe);
      expect(changed.attestation.sha256).toBe(sha256(agentExe));
      expect(changed.attestation.sha256).not.toBe(digest);
      expect(changed.agent).toMatchObject({ name: 'unknown', evidence: 'none' });
    } finally {
      await daemon.stop();
    }
  });

  it.each([
    ['[agents.x]\nexe_path = "/usr/bin/node"\n', ['[agents.x]', 'exe_path']],
    ['[agents.x]\ncmdline = "[a-"\n', ['[agents.x]', 'cmdline', '[a-']],
    ['[agents.x]\nsha256 = "abc"\n', ['[agents.x]', 'sha256']],
    [
      '[agents.a]\nexe = "/usr/bin/node"\n[agents.b]\nexe = "/usr/bin/node"\n',
      ['[agents.a]', '[agents.b]', 'tie'],
    ],
  ])('refuses config %j with a message naming file, table and key', async (config, needles) => {
    home = makeHome(config);
    const result = await runCli(home, ['daemon', 'run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ERR_CONFIG_INVALID');
    expect(result.stderr).toContain(join(home.dir, 'config.toml'));
    for (const needle of needles) expect(result.stderr).toContain(needle);
  });
});
