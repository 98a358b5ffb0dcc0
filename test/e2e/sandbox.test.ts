/**
 * A real agent-like workload inside the bubblewrap sandbox of `agentid exec --sandbox=require`:
 * git clone, commit and push through `--git` (real git against git http-backend), `aws sts
 * get-caller-identity` through `--aws` (the real aws CLI against moto), `npm install` of a local
 * package in a project dir, and an MCP server through `agentid mcp` (the SDK's client, the
 * filesystem server) — as the current user and, when run as root, as uid 65534. Every credential
 * row says the agent was established by its sandbox. Also what the sandbox hides and protects,
 * and what `doctor` says about it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type GitHttp, startGitHttp } from '../peers/git-http.js';
import { type Moto, motoUnavailableReason, startMoto } from '../peers/moto.js';
import { cli, everyone, type Lab, markers, openLab, type Who } from './session-lab.js';

const SECRET = `pw-${Date.now()}-sandboxed`;
const BASE_KEY_ID = 'AKIDSANDBOXBASEKEY01';
const BASE_SECRET = 'sandbox-base-secret-0123456789abcdefghij';
const filesystemServer = resolve('node_modules/.bin/mcp-server-filesystem');

const bwrapMissing = spawnSync('sh', ['-c', 'command -v bwrap']).status === 0 ? null : 'bwrap is not on PATH';
const awsMissing =
  motoUnavailableReason() ?? (spawnSync('sh', ['-c', 'command -v aws']).status === 0 ? null : 'no aws CLI');
if (bwrapMissing) console.warn(`skipping the sandbox e2e tests: ${bwrapMissing}`);

function git(args: string[], cwd?: string) {
  const plain = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  const result = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
    cwd,
    env: plain,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

describe.skipIf(bwrapMissing !== null)('a sandboxed agent at work', () => {
  let server: GitHttp;
  let moto: Moto | null = null;
  let repos: string;
  let lab: Lab | undefined;

  beforeAll(async () => {
    repos = mkdtempSync(join(tmpdir(), 'agentid-repos-'));
    chmodSync(repos, 0o755);
    git(['init', '--bare', '--quiet', '--initial-branch=main', join(repos, 'acme/widgets.git')]);
    const seed = join(repos, 'seed');
    git(['init', '--quiet', '--initial-branch=main', seed]);
    writeFileSync(join(seed, 'README'), 'widgets\n');
    git(['add', '.'], seed);
    git(['commit', '--quiet', '-m', 'seed'], seed);
    git(['push', '--quiet', join(repos, 'acme/widgets.git'), 'main'], seed);
    server = await startGitHttp({
      root: repos,
      authorize: (a) => a.username === 'bot' && a.password === SECRET,
    });
    if (!awsMissing) moto = await startMoto();
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await moto?.stop();
    rmSync(repos, { recursive: true, force: true });
  });

  afterEach(async () => {
    await lab?.cleanup();
    lab = undefined;
  });

  const config = () =>
    [
      '[secrets]\nbackend = "file"\n',
      `[credentials.pw]\ntype = "static"\nsecret = "pw-secret"\nhost = "127.0.0.1:${server.port}"\nusername = "bot"\n`,
      moto
        ? `[credentials.dev]\ntype = "aws"\nsource = "assume-role"\nrole_arn = "arn:aws:iam::123456789012:role/agent"\nregion = "us-east-1"\nendpoint = "${moto.url}"\n`
        : '',
    ].join('\n');

  it.each(everyone)(
    'as $label: git clone/commit/push, aws sts, npm install, all in the sandbox',
    async (who: Who) => {
      lab = openLab(who, config());
      lab.writePolicy(
        'agent.cedar',
        '@id("sandboxed-agent")\npermit (principal == Agent::"agent", action, resource)\n' +
          'when { context.agent.evidence == "sandbox" };\n',
      );
      await lab.startDaemon();
      // The aws CLI may live where only the runner can reach it (e.g. /root/.pyenv).
      const aws = moto && (await lab.run('sh', ['-c', 'aws --version'])).code === 0 ? moto : null;
      if (moto && !aws)
        console.warn(`skipping aws sts as ${who.label}: the aws CLI is not runnable by that user`);
      expect((await lab.cli(['secret', 'set', 'pw-secret'], { input: SECRET })).code).toBe(0);
      if (aws) {
        const keys = { AWS_ACCESS_KEY_ID: BASE_KEY_ID, AWS_SECRET_ACCESS_KEY: BASE_SECRET };
        expect((await lab.cli(['aws', 'set-base-keys', 'dev'], { env: keys })).code).toBe(0);
      }
      // A package to install from a local tarball (no registry, no network).
      const work = lab.scratch();
      const pkg = join(work, 'tiny');
      spawnSync('mkdir', ['-p', pkg]);
      writeFileSync(
        join(pkg, 'package.json'),
        JSON.stringify({ name: 'tiny', version: '1.0.0', main: 'index.js' }),
      );
      writeFileSync(join(pkg, 'index.js'), 'module.exports = "tiny works";\n');
      const packed = spawnSync('npm', ['pack', '--silent', '--pack-destination', work], {
        cwd: pkg,
        encoding: 'utf8',
      });
      expect(packed.status, packed.stderr).toBe(0);
      const project = join(work, 'project');
      spawnSync('mkdir', ['-p', project]);
      writeFileSync(
        join(project, 'package.json'),
        JSON.stringify({
          name: 'project',
          version: '0.0.0',
          dependencies: { tiny: `file:${join(work, 'tiny-1.0.0.tgz')}` },
        }),
      );
      lab.own();

      const url = `http://127.0.0.1:${server.port}/acme/widgets.git`;
      const script = [
        'set -ex', // the trace (stderr) says which step failed
        `cd ${work}`,
        'export GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0',
        'git config --global user.name agent && git config --global user.email agent@example.test',
        `git clone --quiet ${url} widgets`,
        // Each user's own change: the cases share the repository, and an unchanged file commits nothing.
        `cd widgets && echo "change by ${who.label}" > CHANGE && git add CHANGE && git commit --quiet -m "sandboxed change"`,
        'git push --quiet origin main && echo pushed=yes && cd ..',
        aws ? `aws --endpoint-url ${aws.url} sts get-caller-identity --query Arn --output text` : 'true',
        // A cache of the agent's own: npm run by the test runner exports npm_config_cache (root's).
        `cd ${project} && npm install --offline --cache ${work}/npm-cache --no-audit --no-fund --loglevel=error >/dev/null`,
        `node -e 'console.log("npm=" + require("tiny"))'`,
        `${lab.agentid} whoami --json | node -e 'const j = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log("evidence=" + j.agent.evidence)'`,
      ].join('\n');
      const args = ['--sandbox=require', '--agent', 'agent', '--git', 'pw', ...(aws ? ['--aws', 'dev'] : [])];
      const out = await lab.execSh(script, args);
      expect(out.code, out.stderr + out.stdout).toBe(0);
      const seen = markers(out.stdout);
      expect(seen).toMatchObject({ pushed: 'yes', npm: 'tiny works', evidence: 'sandbox' });
      if (aws) expect(out.stdout).toMatch(/assumed-role\/agent\/agent\./);
      expect(git(['--git-dir', join(repos, 'acme/widgets.git'), 'log', '--format=%s', 'main'])).toContain(
        'sandboxed change',
      );

      const rows = (await lab.auditRows()).filter((r) => ['static', 'git', 'aws'].includes(r.action));
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect({
          action: row.action,
          decision: row.decision,
          evidence: row.attestation?.agentEvidence,
        }).toEqual({
          action: row.action,
          decision: 'allow',
          evidence: 'sandbox',
        });
      }
    },
    180_000,
  );

  it.each(everyone)(
    'as $label: an MCP server through agentid mcp in the sandbox',
    async (who: Who) => {
      lab = openLab(who);
      const dir = lab.scratch();
      writeFileSync(join(dir, 'notes.txt'), 'from the sandbox\n');
      lab.writePolicy(
        'mcp.cedar',
        '@id("reads") permit (principal == Agent::"agent", action == Action::"mcp", resource == Tool::"fs/read_text_file")\n' +
          'when { context.agent.evidence == "sandbox" };\n',
      );
      lab.own();
      await lab.startDaemon();
      const env = Object.fromEntries(
        Object.entries(lab.env).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
      const [command, ...prefix] =
        who.uid === null
          ? [process.execPath]
          : [
              'setpriv',
              '--reuid',
              String(who.uid),
              '--regid',
              String(who.uid),
              '--clear-groups',
              process.execPath,
            ];
      const transport = new StdioClientTransport({
        command: command as string,
        args: [
          ...prefix,
          cli,
          'exec',
          '--sandbox=require',
          '--agent',
          'agent',
          '--',
          process.execPath,
          cli,
          'mcp',
          '--name',
          'fs',
          '--',
          filesystemServer,
          dir,
        ],
        env,
        stderr: 'pipe',
      });
      const client = new Client({ name: 'agentid-sandbox-e2e', version: '1.0.0' });
      await client.connect(transport);
      try {
        const read = await client.callTool({
          name: 'read_text_file',
          arguments: { path: join(dir, 'notes.txt') },
        });
        expect(read.content).toEqual([{ type: 'text', text: 'from the sandbox\n' }]);
      } finally {
        await client.close();
      }
      const call = (await lab.auditRows()).find(
        (r) => r.action === 'mcp' && r.resource === 'Tool::"fs/read_text_file"',
      );
      expect(call).toMatchObject({
        decision: 'allow',
        agent: 'agent',
        attestation: { agentEvidence: 'sandbox' },
      });
    },
    120_000,
  );
});

describe.skipIf(bwrapMissing !== null)('what the sandbox hides and protects', () => {
  let lab: Lab | undefined;
  afterEach(async () => {
    await lab?.cleanup();
    lab = undefined;
  });

  it.each(everyone)(
    'as $label: agentid files read-only or hidden, the socket reachable, the daemon out of sight',
    async (who: Who) => {
      lab = openLab(who, '[secrets]\nbackend = "file"\n');
      await lab.startDaemon();
      const daemon = lab.daemonPid();
      const script = [
        `touch "$AGENTID_HOME/config.toml" 2>/dev/null; echo "config=$?"`,
        `mkdir -p "$AGENTID_HOME/policy" 2>/dev/null; echo "policy=$?"`,
        `echo "state=$(ls -A "$AGENTID_HOME/state" | wc -l)"`,
        `test -e "$AGENTID_HOME/state/audit.db"; echo "audit=$?"`,
        `rm -f "$AGENTID_HOME/run/agentid.sock" 2>/dev/null; echo "socket-rm=$?"`,
        `test -e /proc/${daemon}; echo "daemon=$?"`,
        `${lab.agentid} status --json >/dev/null; echo "status=$?"`,
        'echo "home=$(touch "$HOME/x" && echo writable)"',
      ].join('\n');
      const out = await lab.execSh(script, ['--sandbox=require']);
      expect(out.code, out.stderr).toBe(0);
      expect(markers(out.stdout)).toMatchObject({
        config: '1',
        policy: '1',
        state: '0',
        audit: '1',
        'socket-rm': '1',
        daemon: '1',
        status: '0',
        home: 'writable',
      });
      expect(readFileSync(join(lab.home.dir, 'config.toml'), 'utf8')).toBe('[secrets]\nbackend = "file"\n');
    },
    60_000,
  );

  it('says in doctor which sandbox exec gets, and --sandbox=require fails clearly without bwrap', async () => {
    lab = openLab(everyone[0] as Who);
    const doctor = await lab.cli(['doctor', '--json'], { env: { AGENTID_NO_AUTOSTART: '1' } });
    const check = (
      JSON.parse(doctor.stdout) as { checks: { id: string; status: string; detail: string }[] }
    ).checks.find((c) => c.id === 'sandbox');
    expect(check).toMatchObject({ status: 'pass', detail: expect.stringContaining('evidence "sandbox"') });

    await lab.startDaemon();
    const noBwrap = { PATH: '/nonexistent' };
    const required = await lab.cli(['exec', '--sandbox=require', '--', process.execPath, '-e', '0'], {
      env: noBwrap,
    });
    expect(required.code).toBe(1);
    expect(required.stderr).toContain('ERR_SANDBOX_UNAVAILABLE');
    expect(required.stderr).toContain('bwrap is not on PATH');
    const auto = await lab.cli(['exec', '--', process.execPath, '-e', '0'], { env: noBwrap });
    expect(auto.code).toBe(0);
    expect(auto.stderr).toContain('running without a sandbox');
  }, 60_000);
});
