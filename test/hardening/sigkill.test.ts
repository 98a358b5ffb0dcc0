/**
 * Fault: SIGKILL of the daemon, 20 times, each while 8 clients are fetching JWTs as fast as they
 * can. After every restart `agentid audit verify` must pass, and at the end every token a client
 * received must have its audit row: sha256(jti) == the row's credentialFingerprint (invariant 4:
 * the row is committed before the credential leaves the daemon).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { api, type Daemon, makeHome, runCli, sleep, startDaemon } from '../e2e/harness.js';
import { record } from './tally.js';

const KILLS = 20;
const CLIENTS = 8;

function jtiOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
    jti: string;
  };
  return payload.jti;
}

describe('SIGKILL under load', () => {
  it(`keeps the audit chain and a row for every issued token across ${KILLS} kills`, async () => {
    const home = makeHome('[secrets]\nbackend = "file"\n');
    const received: string[] = [];
    let verifyFailures = 0;
    let daemon: Daemon | undefined;
    try {
      for (let round = 0; round < KILLS; round++) {
        daemon = await startDaemon(home);
        let running = true;
        const client = async () => {
          while (running) {
            const res = await api(home.socket, 'POST', '/v1/token', {
              body: JSON.stringify({ audience: `svc-${round}` }),
              headers: { 'content-type': 'application/json' },
            }).catch(() => null);
            if (!res) return;
            if (res.status === 200) received.push((res.json as { token: string }).token);
          }
        };
        const before = received.length;
        const clients = Array.from({ length: CLIENTS }, client);
        // Killed while tokens flow: a fresh daemon's first token waits for its first attestation
        // (the client's exe hashed), which on a busy machine can outlast the random delay alone.
        const flowing = Date.now() + 10_000;
        while (received.length === before && Date.now() < flowing) await sleep(10);
        await sleep(50 + Math.floor(Math.random() * 250));
        daemon.child.kill('SIGKILL');
        await daemon.stop();
        running = false;
        await Promise.all(clients);
        const verify = await runCli(home, ['audit', 'verify', '--json']);
        if (verify.code !== 0 || !(JSON.parse(verify.stdout) as { ok: boolean }).ok) verifyFailures++;
      }
      const rows = (await runCli(home, ['audit', 'export', '--format', 'jsonl'])).stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { action: string; credentialFingerprint: string | null });
      const fingerprints = new Set(
        rows.filter((r) => r.action === 'jwt').map((r) => r.credentialFingerprint),
      );
      const missing = received.filter(
        (t) => !fingerprints.has(createHash('sha256').update(jtiOf(t)).digest('hex')),
      );
      record({
        attack: 'fault: SIGKILL under load',
        tried: KILLS,
        failures: verifyFailures + missing.length,
        note: `${received.length} tokens received, ${missing.length} without a row, ${verifyFailures} failed verifies`,
      });
      expect(received.length).toBeGreaterThan(KILLS);
      expect(verifyFailures).toBe(0);
      expect(missing).toEqual([]);
    } finally {
      await daemon?.stop();
      home.cleanup();
    }
  }, 300_000);
});
