/** `whoami` reports the calling process as the kernel and /proc see it, and audits it. */
import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { cliPath, collect, runCli, useDaemon } from './harness.js';

describe('agentid whoami', () => {
  const t = useDaemon();

  it("reports the child's own pid and real executable, and records an identify row", async () => {
    const child = spawn(process.execPath, [cliPath, 'whoami', '--json'], { env: t.home.env });
    const result = await collect(child);
    expect(result.code).toBe(0);
    const me = JSON.parse(result.stdout) as {
      attestation: { pid: number; uid: number; exe: string; cmdline: string[]; ancestors: { pid: number }[] };
      pidfd: boolean;
      agent: { name: string };
      human: { sub: string; idp: string };
      auditSeq: number;
    };
    expect(me.attestation.pid).toBe(child.pid);
    expect(me.attestation.uid).toBe(process.getuid?.());
    expect(me.attestation.exe).toBe(realpathSync(process.execPath));
    expect(me.attestation.cmdline).toEqual([process.execPath, cliPath, 'whoami', '--json']);
    // Its parent is this test process.
    expect(me.attestation.ancestors[0]?.pid).toBe(process.pid);
    expect(me.pidfd).toBe(true);
    expect(me.human.idp).toBe('local');
    expect(me.human.sub).toMatch(/^local:.+@.+$/);

    const audit = await runCli(t.home, ['audit', '--json', '--action', 'identify']);
    const rows = audit.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; peer: { pid: number }; decision: string });
    expect(rows).toContainEqual(
      expect.objectContaining({
        seq: me.auditSeq,
        decision: 'allow',
        peer: expect.objectContaining({ pid: child.pid }),
      }),
    );
  });

  it('prints a readable summary without --json', async () => {
    const result = await runCli(t.home, ['whoami']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^agent: +unknown /m);
    expect(result.stdout).toMatch(new RegExp(`^exe: +${realpathSync(process.execPath)}$`, 'm'));
    expect(result.stdout).toMatch(/^ancestors:$/m);
  });

  it('clips kilobyte-long ancestor command lines to one line each; --json keeps them whole', async () => {
    const prompt = 'p'.repeat(2048);
    const wrapped = (json: boolean) =>
      collect(
        spawn(
          'sh',
          ['-c', `"$0" "${cliPath}" whoami ${json ? '--json' : ''}; : "$1"`, process.execPath, prompt],
          {
            env: t.home.env,
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        ),
      );
    const text = await wrapped(false);
    expect(text.code, text.stderr).toBe(0);
    const shellLine = text.stdout.split('\n').find((l) => l.includes('ppp')) ?? '';
    expect(shellLine.length).toBeLessThan(300);
    expect(shellLine).toMatch(/… \(\d+ more characters\)$/);
    const json = await wrapped(true);
    expect(json.stdout).toContain(prompt);
  });

  it("attests a kept connection's requests through descriptors it frees when the connection closes", async () => {
    // The daemon's descriptors on this process's /proc directory and the files it keeps open there
    // (its stat is left out: the ancestors' pool keeps it too, as an earlier test's parent).
    const fdDir = `/proc/${t.daemon.child.pid}/fd`;
    const kept = new Set([
      `/proc/${process.pid}`,
      `/proc/${process.pid}/status`,
      `/proc/${process.pid}/cmdline`,
    ]);
    const keptOnMe = () =>
      readdirSync(fdDir).filter((fd) => {
        try {
          return kept.has(readlinkSync(`${fdDir}/${fd}`));
        } catch {
          return false;
        }
      }).length;
    expect(keptOnMe()).toBe(0);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const whoami = () =>
      new Promise<{ status: number; pid: number }>((resolve, reject) => {
        const req = httpRequest({ socketPath: t.home.socket, path: '/v1/whoami', agent }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          res.on('end', () => {
            const body = JSON.parse(text) as { attestation: { pid: number } };
            resolve({ status: res.statusCode ?? 0, pid: body.attestation.pid });
          });
        });
        req.on('error', reject);
        req.end();
      });
    for (let i = 0; i < 4; i++) expect(await whoami()).toEqual({ status: 200, pid: process.pid });
    // The directory, and its status and cmdline, kept across the requests.
    expect(keptOnMe()).toBe(3);
    agent.destroy();
    let left = keptOnMe();
    for (let i = 0; i < 100 && left > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      left = keptOnMe();
    }
    expect(left).toBe(0);
  });
});
