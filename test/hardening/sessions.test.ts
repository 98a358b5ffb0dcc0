/**
 * Attack: an agent inside `agentid exec` tries to get out of its session, to be another agent, or
 * to rewrite what governs it (issue 13, cases 1-8). Each case runs the real daemon and CLI of a
 * build (AGENTID_ATTACK_DIST, default ./dist: run it against an older build to see the attacks
 * work there), with the sandbox as `agentid exec` chooses it (auto) and, where the case applies,
 * without one (AGENTID_SANDBOX=off, which older builds ignore: they have none), as the current
 * user and, when root, as uid 65534 too. A failure is an attack that worked.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../e2e/harness.js';
import {
  cli,
  copyOfNode,
  everyone,
  isRoot,
  type Lab,
  markers,
  me,
  NOBODY,
  nobody,
  openLab,
  type Who,
} from '../e2e/session-lab.js';
import { record } from './tally.js';

const SANDBOX_MODES = [
  { label: 'sandbox auto', env: {} },
  { label: 'sandbox off', env: { AGENTID_SANDBOX: 'off' } },
] as const;

const FILE_SECRETS = '[secrets]\nbackend = "file"\n';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.cleanup();
  lab = undefined;
});

/** Waits (in the agent's shell) until file $1 is non-empty, at most 30 s. */
const waitFor = (file: string) =>
  `i=0; while [ ! -s ${file} ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done`;

describe('case 1: leaving the session (setsid, double fork, outliving it)', () => {
  it.each(everyone)(
    'as $label: an escaped process is still the session agent, or ends with the session',
    async (who: Who) => {
      const outcomes: { mode: string; marker: string; served: boolean; status: string }[] = [];
      for (const mode of SANDBOX_MODES) {
        lab = openLab(who, FILE_SECRETS);
        await lab.startDaemon();
        const dir = lab.scratch();
        const set = (name: string) =>
          `printf v | ${lab?.agentid} secret set ${name} >/dev/null 2>&1; echo $? >`;
        const script = [
          `setsid -f sh -c '${set('via-setsid')} ${dir}/setsid'`,
          waitFor(`${dir}/setsid`),
          `( (${set('via-double-fork')} ${dir}/fork) & )`,
          waitFor(`${dir}/fork`),
          // Outliving the session: the command exits at once, the escaped process acts afterwards.
          `setsid -f sh -c 'sleep 3; ${set('after-the-session')} ${dir}/late'`,
        ].join('\n');
        const out = await lab.execSh(script, ['--agent', 'evil'], mode.env);
        expect(out.code, out.stderr).toBe(0);
        await sleep(8_000);
        const allowed = (await lab.auditRows()).filter(
          (r) => r.action === 'secret.set' && r.decision === 'allow',
        );
        for (const [marker, resource] of [
          ['setsid', 'via-setsid'],
          ['fork', 'via-double-fork'],
          ['late', 'after-the-session'],
        ] as const) {
          const status = existsSync(join(dir, marker))
            ? readFileSync(join(dir, marker), 'utf8').trim()
            : 'killed';
          outcomes.push({
            mode: mode.label,
            marker,
            served: allowed.some((r) => r.resource === resource),
            status,
          });
        }
        await lab.cleanup();
        lab = undefined;
      }
      const failures = outcomes.filter((o) => o.served || o.status === '0').length;
      record({ attack: `session 1: leave the session (${who.label})`, tried: outcomes.length, failures });
      // Refused (3) while the session lives; killed with it afterwards.
      for (const o of outcomes)
        expect(o).toEqual({ ...o, served: false, status: expect.stringMatching(/^(3|killed)$/) });
    },
  );
});

describe('case 2: killing the daemon', () => {
  it.each(everyone)('as $label: the restarted daemon still knows the session', async (who: Who) => {
    const outcomes: Record<string, string>[] = [];
    for (const mode of SANDBOX_MODES) {
      lab = openLab(who, FILE_SECRETS);
      await lab.startDaemon();
      const script = [
        `kill -9 $(cat "$AGENTID_HOME/state/daemon.lock") 2>/dev/null; echo "kill=$?"`,
        'sleep 1',
        `printf v | ${lab.agentid} secret set after-kill >/dev/null 2>&1; echo "set=$?"`,
      ].join('\n');
      const out = await lab.execSh(script, ['--agent', 'evil'], mode.env);
      outcomes.push({ mode: mode.label, ...markers(out.stdout) });
      await lab.cleanup();
      lab = undefined;
    }
    const failures = outcomes.filter((o) => o.set !== '3').length;
    record({ attack: `session 2: kill the daemon (${who.label})`, tried: outcomes.length, failures });
    for (const o of outcomes) expect(o).toMatchObject({ set: '3' });
    // In the sandbox the daemon is out of reach: its lock file is hidden and its pid invisible.
    expect(outcomes[0]?.kill).not.toBe('0');
  });
});

describe('case 3: rewriting policy', () => {
  const nothingForEvil =
    '@id("someone-else")\npermit (principal == Agent::"someone-else", action, resource);\n';
  const everything = 'permit (principal, action, resource);\n';

  it.each(everyone)('as $label: a sandboxed agent cannot write the policy dir', async (who: Who) => {
    lab = openLab(who);
    lab.writePolicy('base.cedar', nothingForEvil);
    await lab.startDaemon();
    const script = [
      `echo '${everything.trim()}' > "$AGENTID_HOME/policy/zz.cedar" 2>/dev/null; echo "write=$?"`,
      'sleep 2',
      `${lab.agentid} token --audience x >/dev/null 2>&1; echo "token=$?"`,
    ].join('\n');
    const seen = markers((await lab.execSh(script, ['--agent', 'evil'])).stdout);
    const failures = seen.token === '3' && seen.write !== '0' ? 0 : 1;
    record({ attack: `session 3: rewrite policy from a sandbox (${who.label})`, tried: 1, failures });
    expect(seen).toMatchObject({ token: '3' });
    expect(seen.write).not.toBe('0');
  });

  it('without a sandbox the rewrite is possible (documented), and every reload is audited with file hashes', async () => {
    lab = openLab(me);
    lab.writePolicy('base.cedar', nothingForEvil);
    await lab.startDaemon();
    const script = `echo '${everything.trim()}' > "$AGENTID_HOME/policy/zz.cedar"; sleep 2`;
    await lab.execSh(script, ['--agent', 'evil'], { AGENTID_SANDBOX: 'off' });
    const sha = createHash('sha256').update(everything).digest('hex');
    const reloads = (await lab.auditRows()).filter((r) => r.action === 'policy.reload');
    const audited = reloads.some(
      (r) => r.decision === 'allow' && r.reason?.includes(`zz.cedar sha256=${sha}`),
    );
    record({ attack: 'session 3: unsandboxed rewrite is audited', tried: 1, failures: audited ? 0 : 1 });
    // The load at start is audited as well, naming base.cedar.
    expect(reloads[0]?.reason).toContain('base.cedar sha256=');
    expect(audited).toBe(true);
  });

  it.skipIf(!isRoot)(
    'a 0777 policy dir with a file owned by another user is refused, the last good set kept, and audited',
    async () => {
      lab = openLab(me);
      lab.writePolicy('base.cedar', nothingForEvil);
      await lab.startDaemon();
      const dir = join(lab.home.dir, 'policy');
      chmodSync(dir, 0o777);
      writeFileSync(join(dir, 'zz.cedar'), everything);
      chownSync(join(dir, 'zz.cedar'), NOBODY, NOBODY);
      await sleep(2_000);
      const token = await lab.cli(['token', '--audience', 'x']);
      const refused = (await lab.auditRows()).filter(
        (r) => r.action === 'policy.reload' && r.errorCode === 'ERR_POLICY_UNSAFE',
      );
      const failures = token.code === 3 && refused.length > 0 ? 0 : 1;
      record({ attack: 'session 3: foreign file in a 0777 policy dir', tried: 1, failures });
      expect(token.code).toBe(3);
      expect(refused[0]?.reason).toMatch(/world-writable|owned by uid 65534/);
    },
  );
});

/**
 * Case 4, in python: connect, fork a child that keeps the connection, exec the agent's binary in
 * the connecting process (so pid, start time and pidfd stay), and let the child send the request.
 */
const connectForkExec = `
import os, socket, sys, time
path, agent, inheritable = sys.argv[1], sys.argv[2], sys.argv[3] == '1'
s = socket.socket(socket.AF_UNIX)
s.connect(path)
if inheritable:
    os.set_inheritable(s.fileno(), True)
r, w = os.pipe()
if os.fork() == 0:
    os.close(w)
    os.read(r, 1)  # EOF: the parent's exec closed the write end
    parent = os.getppid()
    for _ in range(500):
        if os.readlink('/proc/%d/exe' % parent) == agent:
            break
        time.sleep(0.01)
    s.sendall(b'GET /v1/whoami HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n')
    data = b''
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    sys.stdout.write(data.decode())
    os._exit(0)
os.close(r)
os.execv(agent, [agent, '-e', 'setTimeout(() => {}, 8000)'])
`;

describe('case 4: connect, fork, exec the agent binary, send from the child', () => {
  it.each(everyone)('as $label: the child is not served as the agent', async (who: Who) => {
    lab = openLab(who);
    const bin = lab.scratch();
    const claude = copyOfNode(bin, 'claude-node');
    const sha = createHash('sha256').update(readFileSync(claude)).digest('hex');
    writeFileSync(
      join(lab.home.dir, 'config.toml'),
      `[agents.claude]\nexe = "${claude}"\nsha256 = "${sha}"\n`,
    );
    await lab.startDaemon();
    // Control: the binary itself is named claude.
    const control = await lab.run(claude, [cli, 'whoami', '--json']);
    expect((JSON.parse(control.stdout) as { agent: { name: string } }).agent.name).toBe('claude');
    const outcomes: { variant: string; answer: string; got: string }[] = [];
    for (const [variant, flag] of [
      ['inheritable', '1'],
      ['close-on-exec', '0'],
    ] as const) {
      const out = await lab.run('python3', ['-c', connectForkExec, lab.home.socket, claude, flag]);
      const body = out.stdout.slice(out.stdout.indexOf('\r\n\r\n') + 4);
      let got = `no answer (${out.stderr.trim().split('\n').at(-1)})`;
      try {
        const answer = JSON.parse(body) as { agent?: { name: string }; error?: { code: string } };
        got = answer.agent?.name ?? answer.error?.code ?? got;
      } catch {}
      outcomes.push({ variant, answer: out.stdout.split('\r\n')[0] ?? '', got });
    }
    // Only an answer counts: an attack that never got one proves nothing either way.
    const failures = outcomes.filter((o) => o.got === 'claude' || !/^HTTP\/1\.1 /.test(o.answer)).length;
    record({ attack: `session 4: connect, fork, exec (${who.label})`, tried: outcomes.length, failures });
    for (const o of outcomes) {
      expect(o.answer).toMatch(/^HTTP\/1\.1 (200|403) /);
      expect(o.got).not.toBe('claude');
    }
  });
});

describe('case 5: an exe-only agent spoofed by a bind mount in another mount namespace', () => {
  it.each(everyone)('as $label: the spoof is not the agent', async (who: Who) => {
    lab = openLab(who);
    const bin = lab.scratch();
    const real = copyOfNode(bin, 'claude-agent');
    const impostor = copyOfNode(bin, 'impostor', '\0not the binary the user trusts\0');
    writeFileSync(join(lab.home.dir, 'config.toml'), `[agents.claude]\nexe = "${real}"\n`);
    await lab.startDaemon();
    const whoami = (out: { stdout: string }) =>
      (JSON.parse(out.stdout) as { agent: { name: string } }).agent.name;
    expect(whoami(await lab.run(real, [cli, 'whoami', '--json']))).toBe('claude');
    const spoof = await lab.run('unshare', [
      '--user',
      '--map-root-user',
      '--mount',
      'sh',
      '-c',
      `mount --bind ${impostor} ${real} && ${real} ${cli} whoami --json`,
    ]);
    const name = spoof.stdout === '' ? `no answer: ${spoof.stderr.trim()}` : whoami(spoof);
    record({
      attack: `session 5: mount-namespace exe spoof (${who.label})`,
      tried: 1,
      failures: name === 'claude' ? 1 : 0,
    });
    expect(name).toBe('unknown');
  });
});

describe('case 6: a nested exec switching agents', () => {
  it.each(everyone)(
    'as $label: the nested session gets nothing the outer agent may not',
    async (who: Who) => {
      lab = openLab(who);
      lab.writePolicy(
        'bots.cedar',
        '@id("other-bot")\npermit (principal == Agent::"other-bot", action, resource);\n',
      );
      await lab.startDaemon();
      const token = `${lab.agentid} token --audience x >/dev/null`;
      // Control: other-bot's own session gets its token.
      expect((await lab.execSh(token, ['--agent', 'other-bot'])).code).toBe(0);
      const outcomes: Record<string, string>[] = [];
      for (const mode of SANDBOX_MODES) {
        const nested = `${lab.agentid} exec --nest --agent other-bot -- sh -c '${token}'; echo "nested=$?"`;
        outcomes.push({
          mode: mode.label,
          ...markers((await lab.execSh(nested, ['--agent', 'evil'], mode.env)).stdout),
        });
      }
      const failures = outcomes.filter((o) => o.nested !== '3').length;
      record({
        attack: `session 6: nested exec as another agent (${who.label})`,
        tried: outcomes.length,
        failures,
      });
      for (const o of outcomes) expect(o).toEqual({ mode: o.mode, nested: '3' });
      const denied = (await lab.auditRows()).filter((r) => r.action === 'jwt' && r.decision === 'deny');
      expect(denied.at(-1)?.reason).toMatch(/bound by agent evil/);
    },
  );
});

describe('case 7: ptrace and memory', () => {
  it.each(everyone)(
    'as $label: a sandboxed agent cannot see, signal or ptrace a process outside',
    async (who: Who) => {
      lab = openLab(who);
      await lab.startDaemon();
      const id = String(NOBODY);
      const victim =
        who.uid === null
          ? spawn('sleep', ['60'])
          : spawn('setpriv', ['--reuid', id, '--regid', id, '--clear-groups', 'sleep', '60']);
      try {
        await sleep(200);
        const pid = victim.pid as number;
        const script = [
          `gdb -nx -batch -p ${pid} -ex 'info proc' 2>&1 | grep -q 'process ${pid}'; echo "gdb=$?"`,
          `kill -0 ${pid} 2>/dev/null; echo "kill=$?"`,
          `test -e /proc/${pid}/mem; echo "proc=$?"`,
        ].join('\n');
        const seen = markers((await lab.execSh(script, ['--agent', 'evil'])).stdout);
        const failures = ['gdb', 'kill', 'proc'].filter((k) => seen[k] === '0').length;
        record({ attack: `session 7: ptrace/signal outside the sandbox (${who.label})`, tried: 3, failures });
        expect(seen).toEqual({ gdb: '1', kill: '1', proc: '1' });
      } finally {
        victim.kill('SIGKILL');
      }
    },
  );

  // As root gdb could attach to anything (CAP_SYS_PTRACE): the daemon and the attacker run as
  // one unprivileged uid, which is the threat: any process of the user.
  const sameUid = isRoot ? nobody : me;
  it(`a process of the daemon's own uid (${sameUid.label}) cannot ptrace it (gdb, gcore) or read its memory`, async () => {
    lab = openLab(sameUid);
    await lab.startDaemon();
    const pid = lab.daemonPid() as number;
    // Attaching is what gcore needs first; a full dump of an open daemon takes minutes here.
    const attach = await lab.run('gdb', ['-nx', '-batch', '-p', String(pid), '-ex', 'info proc']);
    const attached = attach.stdout.includes(`process ${pid}`);
    const mem = await lab.run('python3', [
      '-c',
      `import sys\ntry:\n  f = open('/proc/${pid}/mem', 'rb'); print('mem=0')\nexcept OSError as e:\n  print('mem=%d' % e.errno)`,
    ]);
    const failures = (attached ? 1 : 0) + (markers(mem.stdout).mem === '0' ? 1 : 0);
    record({ attack: 'session 7: same-uid ptrace attach and /proc/<daemon>/mem', tried: 2, failures });
    expect(attached, attach.stdout + attach.stderr).toBe(false);
    expect(attach.stdout + attach.stderr).toMatch(/Operation not permitted|ptrace/);
    expect(markers(mem.stdout).mem).not.toBe('0');
  });
});

describe('case 8: policy tells a sandboxed agent from a declared one', () => {
  it.each(everyone)(
    'as $label: context.agent.evidence says how the agent was established',
    async (who: Who) => {
      lab = openLab(who);
      lab.writePolicy(
        'evidence.cedar',
        '@id("evil-only-sandboxed")\npermit (principal == Agent::"evil", action == Action::"jwt", resource)\n' +
          'when { context.agent.evidence == "sandbox" };\n',
      );
      await lab.startDaemon();
      const script = `${lab.agentid} token --audience x >/dev/null 2>&1; echo "token=$?"`;
      const sandboxed = markers((await lab.execSh(script, ['--agent', 'evil'])).stdout);
      const unsandboxed = markers(
        (await lab.execSh(script, ['--agent', 'evil'], { AGENTID_SANDBOX: 'off' })).stdout,
      );
      const rows = (await lab.auditRows()).filter((r) => r.action === 'jwt');
      const evidence = rows.map((r) => [r.decision, r.attestation?.agentEvidence]);
      const failures = (sandboxed.token === '0' ? 0 : 1) + (unsandboxed.token === '3' ? 0 : 1);
      record({ attack: `session 8: evidence in policy (${who.label})`, tried: 2, failures });
      expect([sandboxed.token, unsandboxed.token]).toEqual(['0', '3']);
      expect(evidence).toEqual([
        ['allow', 'sandbox'],
        ['deny', 'session'],
      ]);
    },
  );
});
