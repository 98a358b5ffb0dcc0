/**
 * `agentid exec`: sessions carried by ancestry, exit statuses and signals passed through.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliPath, collect, runCli, sleep, useDaemon } from './harness.js';

interface Whoami {
  agent: { name: string; evidence: string };
  session: { id: string; agent: string | null } | null;
  attestation: { pid: number };
}

describe('agentid exec', () => {
  const t = useDaemon();

  it("names a grandchild's requests after the declared agent, and only inside the session", async () => {
    const inside = await runCli(t.home, [
      'exec',
      '--agent',
      'demo',
      '--',
      'sh',
      '-c',
      `node ${cliPath} whoami --json; echo "session=$AGENTID_SESSION"`,
    ]);
    expect(inside.stderr).toBe('');
    expect(inside.code).toBe(0);
    const me = JSON.parse(inside.stdout.slice(0, inside.stdout.lastIndexOf('}') + 1)) as Whoami;
    expect(me.agent).toMatchObject({ name: 'demo', evidence: 'sandbox' });
    expect(me.session?.agent).toBe('demo');
    expect(inside.stdout).toContain(`session=${me.session?.id}`);

    const outside = JSON.parse((await runCli(t.home, ['whoami', '--json'])).stdout) as Whoami;
    expect(outside.agent).toMatchObject({ name: 'unknown', evidence: 'none' });
    expect(outside.session).toBeNull();

    // The session ended with its child, and the audit log shows both ends and the identify row.
    const rows = (await runCli(t.home, ['audit', '--json'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; agent: string; resource: string | null });
    expect(rows).toContainEqual(
      expect.objectContaining({ action: 'session.start', resource: me.session?.id }),
    );
    expect(rows).toContainEqual(expect.objectContaining({ action: 'identify', agent: 'demo' }));
    expect(rows).toContainEqual(expect.objectContaining({ action: 'session.end', resource: me.session?.id }));
  });

  it('refuses management from inside a session: an agent cannot rewrite secrets or stop the daemon', async () => {
    const agentid = `node ${cliPath}`;
    const inside = await runCli(t.home, [
      'exec',
      '--agent',
      'demo',
      '--',
      'sh',
      '-c',
      `printf v | ${agentid} secret set planted; echo "set=$?"; ${agentid} daemon stop; echo "stop=$?"; ${agentid} key rotate; echo "rotate=$?"`,
    ]);
    expect(inside.stdout).toContain('set=3');
    expect(inside.stdout).toContain('stop=3');
    expect(inside.stdout).toContain('rotate=3');
    expect(inside.stderr).toContain('ERR_SESSION_MANAGEMENT');
    expect(t.daemon.child.exitCode).toBeNull();
    const refused = (await runCli(t.home, ['audit', '--json', '--decision', 'deny'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; agent: string; errorCode: string });
    expect(refused).toContainEqual(
      expect.objectContaining({ action: 'secret.set', agent: 'demo', errorCode: 'ERR_SESSION_MANAGEMENT' }),
    );
    expect(refused).toContainEqual(
      expect.objectContaining({ action: 'shutdown', errorCode: 'ERR_SESSION_MANAGEMENT' }),
    );
  });

  it('refuses to nest unless --nest', async () => {
    const nested = await runCli(t.home, ['exec', '--', 'node', cliPath, 'exec', '--', 'true']);
    expect(nested.code).toBe(2);
    expect(nested.stderr).toContain('ERR_SESSION_NESTED');
    const allowed = await runCli(t.home, [
      'exec',
      '--',
      'node',
      cliPath,
      'exec',
      '--nest',
      '--agent',
      'inner',
      '--',
      'true',
    ]);
    expect(allowed.code).toBe(0);
  });

  it("returns the child's exit code, 127 for a missing command", async () => {
    expect((await runCli(t.home, ['exec', '--', 'sh', '-c', 'exit 7'])).code).toBe(7);
    const missing = await runCli(t.home, ['exec', '--', 'no-such-command-agentid']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('command not found');
  });

  it('passes SIGTERM to the child and returns 143', async () => {
    const wrapper = spawn(
      process.execPath,
      [
        cliPath,
        'exec',
        '--',
        'sh',
        '-c',
        'trap "echo got-term; exit 143" TERM; echo ready; while :; do sleep 0.05; done',
      ],
      { env: t.home.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const result = collect(wrapper);
    await new Promise<void>((resolve) => {
      wrapper.stdout?.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
    });
    wrapper.kill('SIGTERM');
    const done = await result;
    expect(done.stdout).toContain('got-term');
    expect(done.code).toBe(143);
  });

  it('returns 128+signal when the child is killed by a signal', async () => {
    const wrapper = spawn(
      process.execPath,
      [cliPath, 'exec', '--', 'sh', '-c', 'echo ready; exec sleep 30'],
      {
        env: t.home.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const result = collect(wrapper);
    await new Promise<void>((resolve) => {
      wrapper.stdout?.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
    });
    await sleep(50);
    wrapper.kill('SIGTERM');
    expect((await result).code).toBe(143);
  });
});
