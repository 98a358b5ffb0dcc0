/**
 * Fault: the keychain changes under a running daemon. gnome-keyring is killed; D-Bus starts a
 * fresh one on the next call, which loads the keyring from disk locked. Then it is killed again
 * and a different, unlocked keyring takes its place. In neither state may `agentid secret ls`
 * (or rm) answer "no secrets stored" with exit 0: the answer names the state and the fix.
 * Real gnome-keyring in a throwaway D-Bus session (test/peers/keyring.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath } from '../e2e/harness.js';
import {
  keyringUnavailableReason,
  killKeyringDaemon,
  runInKeyringSession,
  unlockFreshKeyring,
} from '../peers/keyring.js';
import { record } from './tally.js';

const keyringSkip = keyringUnavailableReason();
if (keyringSkip) console.warn(`SKIP keychain fault test: ${keyringSkip}`);

/** `NAME=<exit code>` after each CLI call, its output kept for the checks. */
const agentid = `node ${cliPath}`;
const step = (label: string, args: string) =>
  `${agentid} ${args} >"$OUT/${label}.out" 2>"$OUT/${label}.err"; echo "${label}=$? at $(date +%s.%N)"`;

describe.skipIf(keyringSkip !== null)('fault: keychain killed and replaced under the daemon', () => {
  it('answers ERR_SECRETS_LOCKED, then ERR_SECRETS_REPLACED, never "no secrets stored"', async () => {
    const home = mkdtempSync(join(tmpdir(), 'agentid-keychain-fault-'));
    try {
      const session = await runInKeyringSession(
        `mkdir -p "$OUT"
printf 'value\\n' | ${agentid} secret set db-password >/dev/null 2>&1
${step('before', 'secret ls --json')}
${killKeyringDaemon}
${step('lockedLs', 'secret ls')}
${step('lockedJson', 'secret ls --json')}
${step('lockedRm', 'secret rm db-password')}
${killKeyringDaemon}
mv "$XDG_DATA_HOME/keyrings" "$XDG_DATA_HOME/keyrings.old"
${unlockFreshKeyring}
${step('replacedLs', 'secret ls')}
${step('replacedJson', 'secret ls --json')}
${step('replacedRm', 'secret rm db-password')}
${agentid} daemon stop >/dev/null 2>&1
`,
        { AGENTID_HOME: join(home, 'agentid'), OUT: join(home, 'out'), HOME: join(home, 'keyring') },
        // Eight CLI runs and two keyring restarts: minutes on a loaded machine, not the 25 s default.
        120_000,
      );
      expect(session.code, session.stderr).toBe(0);
      const exit = (label: string) => Number(new RegExp(`^${label}=(\\d+) `, 'm').exec(session.stdout)?.[1]);
      const output = (label: string, stream: 'out' | 'err') =>
        readFileSync(join(home, 'out', `${label}.${stream}`), 'utf8');
      expect(exit('before'), session.stdout).toBe(0);
      expect(JSON.parse(output('before', 'out'))).toEqual({ names: ['db-password'], managed: [] });

      const probes = [
        ['lockedLs', 'ERR_SECRETS_LOCKED'],
        ['lockedJson', 'ERR_SECRETS_LOCKED'],
        ['lockedRm', 'ERR_SECRETS_LOCKED'],
        ['replacedLs', 'ERR_SECRETS_REPLACED'],
        ['replacedJson', 'ERR_SECRETS_REPLACED'],
        ['replacedRm', 'ERR_SECRETS_REPLACED'],
      ] as const;
      const wrong = probes.filter(
        ([label, code]) =>
          exit(label) === 0 || !output(label, 'err').includes(code) || output(label, 'out') !== '',
      );
      record({
        attack: 'fault: keychain locked / replaced',
        tried: probes.length,
        failures: wrong.length,
        note:
          wrong.map(([label]) => `${label}: exit ${exit(label)} ${output(label, 'err').trim()}`).join('; ') ||
          'secret ls / ls --json / rm: coded error, nothing on stdout',
      });
      expect(wrong.map(([label]) => label)).toEqual([]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
