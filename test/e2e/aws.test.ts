/**
 * AWS credentials end to end, against real peers: a real moto_server as STS and S3 behind a
 * recording proxy (which counts our STS calls and shows the fields moto ignores), the real `aws`
 * CLI using `credential_process` and the exec container endpoint, and the built daemon and CLI.
 * The credential_process contract is tested against each helper: the Node one and the thin sh
 * helper `agentid setup aws` writes (test/e2e/credential-helpers.ts).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type Moto, motoUnavailableReason, startMoto } from '../peers/moto.js';
import { type RecordingProxy, startRecordingProxy } from '../peers/recording-proxy.js';
import { awsHelpers, runHelper } from './credential-helpers.js';
import {
  cliPath,
  collect,
  type Daemon,
  type Home,
  makeHome,
  type Result,
  runCli,
  sleep,
  startDaemon,
} from './harness.js';

const ROLE = 'arn:aws:iam::123456789012:role/agent';
const SESSION_POLICY =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}';
const BASE_KEY_ID = 'AKIAAGENTIDTESTKEY01';
const BASE_SECRET = 'agentid-test-base-secret-0123456789abcdef';
const human = `local:${userInfo().username}@${hostname()}`;

const skip =
  motoUnavailableReason() ??
  (spawnSync('sh', ['-c', 'command -v aws']).status === 0 ? null : 'the aws CLI is not on PATH');
if (skip) console.warn(`skipping AWS e2e tests: ${skip}`);

function credential(name: string, endpoint: string, extra = ''): string {
  return `[credentials.${name}]\ntype = "aws"\nsource = "assume-role"\nrole_arn = "${ROLE}"\nregion = "us-east-1"\nendpoint = "${endpoint}"\n${extra}`;
}

describe.skipIf(skip !== null)('aws credentials', () => {
  let moto: Moto;
  let proxy: RecordingProxy;
  let failing: RecordingProxy;
  let silent: Server;
  const silentSockets: Socket[] = [];
  let home: Home;
  let daemon: Daemon;
  let awsEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startRecordingProxy(moto.url);
    failing = await startRecordingProxy(moto.url);
    failing.fail = {
      status: 403,
      body: '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed to assume</Message></Error><RequestId>1</RequestId></ErrorResponse>',
    };
    // Accepts and never answers: an STS that hangs.
    silent = createServer((s) => silentSockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as { port: number }).port;
    const closedPort = await freePort();
    home = makeHome(
      [
        '[secrets]\nbackend = "file"\n',
        credential(
          'dev',
          proxy.url,
          `duration = 1800\ntimeout_ms = 3000\npolicy = '${SESSION_POLICY}'\ntags = { team = "infra" }\n`,
        ),
        credential('failing', failing.url),
        credential('unreachable', `http://127.0.0.1:${closedPort}`, 'timeout_ms = 2000\n'),
        credential('hanging', `http://127.0.0.1:${silentPort}`, 'timeout_ms = 1000\n'),
        credential('nopolicy', proxy.url),
        credential('nokeys', proxy.url),
        credential('webid', proxy.url).replace('assume-role', 'web-identity'),
      ].join('\n'),
    );
    mkdirSync(join(home.dir, 'policy'));
    writeFileSync(
      join(home.dir, 'policy', 'aws.cedar'),
      ['dev', 'failing', 'unreachable', 'hanging', 'nokeys', 'webid']
        .map((name) => `permit(principal, action == Action::"aws", resource == Credential::"${name}");`)
        .join('\n'),
    );
    daemon = await startDaemon(home);
    for (const name of ['dev', 'failing', 'unreachable', 'hanging', 'nopolicy']) {
      const set = await runCli(home, ['aws', 'set-base-keys', name], {
        env: { AWS_ACCESS_KEY_ID: BASE_KEY_ID, AWS_SECRET_ACCESS_KEY: BASE_SECRET },
      });
      expect(set.code, set.stderr).toBe(0);
    }
    awsEnv = {
      AWS_CONFIG_FILE: join(home.dir, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home.dir, 'aws-credentials'),
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      // No region from the environment: the profile setup aws writes must carry it.
      AWS_REGION: undefined,
      AWS_DEFAULT_REGION: undefined,
    };
    for (const [profile, command] of profiles) {
      const setup = await runCli(
        home,
        ['setup', 'aws', '--profile', profile, '--credential', 'dev', ...command],
        { env: awsEnv },
      );
      expect(setup.code, setup.stderr).toBe(0);
    }
  }, 60_000);

  afterAll(async () => {
    await daemon?.stop();
    await proxy?.close();
    await failing?.close();
    for (const s of silentSockets) s.destroy();
    silent?.close();
    await moto?.stop();
    home?.cleanup();
  });

  /** `dev`: the thin sh helper setup writes by default; `dev-node`: agentid itself (--command). */
  const profiles: [string, string[]][] = [
    ['dev', []],
    ['dev-node', ['--command', `${process.execPath} ${cliPath}`]],
  ];
  const assumeRoleCalls = () => proxy.actions('AssumeRole');
  const awsCli = (args: string[], agent = 'demo') =>
    runCli(home, ['exec', '--agent', agent, '--', 'aws', '--endpoint-url', moto.url, ...args], {
      env: awsEnv,
    });

  it('setup aws wrote credential_process (the thin helper by default, agentid by absolute path with --command) and the region, runs again without a change, and --remove restores the file', async () => {
    const file = join(home.dir, 'aws-config');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(
      `[profile dev]\ncredential_process = ${join(home.dir, 'bin', 'aws-credential-process')} dev\n` +
        'region = us-east-1\n' +
        '# agentid setup aws added: profile credential_process region (undo: agentid setup aws --profile dev --remove)\n',
    );
    expect(text).toContain(
      `[profile dev-node]\ncredential_process = ${process.execPath} ${cliPath} aws credential-process dev\nregion = us-east-1\n`,
    );
    const setupJson = (args: string[]) => runCli(home, ['setup', 'aws', '--json', ...args], { env: awsEnv });
    for (const [profile, command] of profiles) {
      const again = await setupJson(['--profile', profile, '--credential', 'dev', ...command]);
      expect(JSON.parse(again.stdout)).toMatchObject({ changed: false, profile, region: 'us-east-1' });
    }

    // Another profile in a file the user already had: --remove gives the file back byte for byte.
    const mine = readFileSync(file, 'utf8');
    writeFileSync(file, `${mine}\n[profile mine]\nregion = eu-west-1 \n# keep me\n`);
    const before = readFileSync(file, 'utf8');
    const other = await setupJson(['--profile', 'mine', '--credential', 'dev']);
    expect(JSON.parse(other.stdout)).toMatchObject({ changed: true, region: 'us-east-1' });
    // The region the user set stays.
    expect(readFileSync(file, 'utf8')).toContain('region = eu-west-1 \n');
    const removed = await setupJson(['--profile', 'mine', '--remove']);
    expect(JSON.parse(removed.stdout)).toMatchObject({ removed: true });
    expect(readFileSync(file, 'utf8')).toBe(before);
    writeFileSync(file, mine);

    // Not an aws credential of config.toml, and no --region: said, nothing written.
    const unknown = await runCli(home, ['setup', 'aws', '--profile', 'x', '--credential', 'nosuch'], {
      env: awsEnv,
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('ERR_CREDENTIAL_UNKNOWN');
    expect(readFileSync(file, 'utf8')).toBe(mine);
  });

  it('the aws CLI alone, with the profile setup aws wrote and nothing else, gets credentials', async () => {
    // Outside any agentid exec: what a user types after setup. No region, no agentid on PATH.
    const PATH = (process.env.PATH ?? '')
      .split(':')
      .filter((dir) => !existsSync(join(dir, 'agentid')))
      .join(':');
    const run = spawn('aws', ['--profile', 'dev', '--endpoint-url', moto.url, 'sts', 'get-caller-identity'], {
      env: { ...home.env, ...awsEnv, PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const identity = await collect(run);
    expect(identity.code, identity.stderr).toBe(0);
    expect((JSON.parse(identity.stdout) as { Arn: string }).Arn).toMatch(/assumed-role\/agent\//);
  });

  it.each([
    ['dev', 'demo'],
    ['dev-node', 'demo-node'],
  ])(
    'the real aws CLI gets credentials through credential_process of profile %s: the ARN names the agent',
    async (profile, agent) => {
      const before = assumeRoleCalls().length;
      const identity = await awsCli(['--profile', profile, 'sts', 'get-caller-identity'], agent);
      expect(identity.code, identity.stderr).toBe(0);
      const arn = (JSON.parse(identity.stdout) as { Arn: string }).Arn;
      expect(arn).toMatch(
        new RegExp(`^arn:aws:sts::123456789012:assumed-role/agent/${agent}\\.[\\w+=,.@-]+$`),
      );

      const bucket = `s3://agentid-e2e-${agent}`;
      expect((await awsCli(['--profile', profile, 's3', 'mb', bucket], agent)).code).toBe(0);
      const ls = await awsCli(['--profile', profile, 's3', 'ls'], agent);
      expect(ls.code, ls.stderr).toBe(0);
      expect(ls.stdout).toContain(`agentid-e2e-${agent}`);
      // Three aws runs, one STS call: the rest came from the daemon's cache.
      expect(assumeRoleCalls().length - before).toBe(1);
    },
    // Three Python starts of the aws CLI, each under exec: more than 30 s on a loaded machine.
    120_000,
  );

  it('AssumeRole carries SourceIdentity, tags, session policy and duration as configured', async () => {
    const call = assumeRoleCalls().find((p) => p.get('RoleSessionName')?.startsWith('demo.'));
    expect(call).toBeDefined();
    const fields = Object.fromEntries(call ?? []);
    expect(fields).toMatchObject({
      RoleArn: ROLE,
      DurationSeconds: '1800',
      Policy: SESSION_POLICY,
      'Tags.member.1.Key': 'team',
      'Tags.member.1.Value': 'infra',
      'Tags.member.2.Key': 'agentid-agent',
      'Tags.member.2.Value': 'demo',
      'Tags.member.3.Key': 'agentid-human',
      'Tags.member.3.Value': human,
    });
    expect(fields.SourceIdentity).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(fields.SourceIdentity).toContain(userInfo().username);
    expect(fields.RoleSessionName).toMatch(/^demo\.[\w+=,.@-]+$/);
    // Signed with the base keys from the secret store.
    const signed = proxy.requests.find((r) => new URLSearchParams(r.body).get('Action') === 'AssumeRole');
    expect(signed?.headers.authorization).toContain(`Credential=${BASE_KEY_ID}/`);
  });

  it.each(awsHelpers)(
    '$name prints exactly the credential_process JSON, reuses it in the window, and fetches anew after expiry',
    async (helper) => {
      // An agent of its own per helper: the cache never crosses agents.
      const run = () =>
        runCli(home, [
          'exec',
          '--agent',
          `expiring-${helper.thin ? 'sh' : 'node'}`,
          '--',
          ...helper.argv(home, ['dev']),
        ]);
      // STS answers with credentials expiring 5 min (the cache's refresh margin) + 25 s from now:
      // two runs fit in that window even on a loaded machine, and then it is waited out.
      proxy.rewrite = (body) =>
        body.replace(
          /<Expiration>[^<]*<\/Expiration>/,
          `<Expiration>${new Date(Date.now() + 325_000).toISOString()}</Expiration>`,
        );
      try {
        const before = assumeRoleCalls().length;
        const first = await run();
        expect(first.code, first.stderr).toBe(0);
        const json = JSON.parse(first.stdout) as Record<string, unknown>;
        expect(Object.keys(json).sort()).toEqual([
          'AccessKeyId',
          'Expiration',
          'SecretAccessKey',
          'SessionToken',
          'Version',
        ]);
        expect(json.Version).toBe(1);
        expect(json.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
        expect(first.stdout).toBe(`${JSON.stringify(json)}\n`);
        expect(first.stderr).toBe('');

        const second = await run();
        expect(JSON.parse(second.stdout)).toEqual(json);
        expect(assumeRoleCalls().length - before).toBe(1);

        await sleep(26_000);
        const third = await run();
        expect(third.code, third.stderr).toBe(0);
        expect((JSON.parse(third.stdout) as { AccessKeyId: string }).AccessKeyId).not.toBe(json.AccessKeyId);
        expect(assumeRoleCalls().length - before).toBe(2);
      } finally {
        proxy.rewrite = null;
      }
    },
    120_000,
  );

  it('never caches across agents', async () => {
    const before = assumeRoleCalls().length;
    const other = await runCli(home, [
      'exec',
      '--agent',
      'other',
      '--',
      process.execPath,
      cliPath,
      'aws',
      'credential-process',
      'dev',
    ]);
    expect(other.code, other.stderr).toBe(0);
    expect(assumeRoleCalls().length - before).toBe(1);
  });

  it('agentid exec --aws serves the container endpoint to the aws CLI in the session', async () => {
    const identity = await runCli(
      home,
      [
        'exec',
        '--agent',
        'demo',
        '--aws',
        'dev',
        '--',
        'aws',
        '--endpoint-url',
        moto.url,
        'sts',
        'get-caller-identity',
      ],
      // Static keys in the environment would win over the endpoint: exec must clear them.
      {
        env: {
          ...awsEnv,
          AWS_CONFIG_FILE: join(home.dir, 'none'),
          AWS_ACCESS_KEY_ID: 'AKIASTATICSHOULDNOTWIN',
          AWS_SECRET_ACCESS_KEY: 'x'.repeat(40),
        },
      },
    );
    expect(identity.code, identity.stderr).toBe(0);
    expect((JSON.parse(identity.stdout) as { Arn: string }).Arn).toMatch(/assumed-role\/agent\/demo\./);
  });

  it('refuses a process outside the session that copied the endpoint URL and token, and closes with the session', async () => {
    // The session prints its endpoint, waits, then asks it twice itself: with a wrong token and the right one.
    const script = [
      'echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI $AWS_CONTAINER_AUTHORIZATION_TOKEN"',
      'read _',
      'curl -s -o /dev/null -w "%{http_code}\\n" -H "Authorization: wrong" "$AWS_CONTAINER_CREDENTIALS_FULL_URI"',
      'curl -s -H "Authorization: $AWS_CONTAINER_AUTHORIZATION_TOKEN" "$AWS_CONTAINER_CREDENTIALS_FULL_URI"; echo',
      'read _',
    ].join('; ');
    const child = spawn(
      process.execPath,
      [cliPath, 'exec', '--agent', 'demo', '--aws', 'dev', '--', 'sh', '-c', script],
      {
        env: { ...home.env, ...awsEnv },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    const lines = readLines(child);
    const [uri = '', token = ''] = (await lines.next()).split(' ');
    expect(uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);

    // This test process is not in the session: the right token is not enough.
    const outside = await fetch(uri, { headers: { authorization: token } });
    expect(outside.status).toBe(403);
    const refusal = (await outside.json()) as { code: string; message: string };
    expect(refusal.code).toBe('ERR_AWS_CONTAINER_DENIED');
    expect(refusal.message).toContain('not part of session');

    child.stdin?.write('\n');
    expect(await lines.next()).toBe('403');
    const served = JSON.parse(await lines.next()) as Record<string, unknown>;
    expect(Object.keys(served).sort()).toEqual(['AccessKeyId', 'Expiration', 'SecretAccessKey', 'Token']);

    // collect() ends stdin with this newline: the session's second `read` returns and it exits.
    expect((await collect(child, '\n')).code).toBe(0);
    // The endpoint died with the session.
    await expect(fetch(uri, { headers: { authorization: token } })).rejects.toThrow();

    const denials = auditRows(
      await runCli(home, ['audit', '--json', '--action', 'aws.container', '--decision', 'deny']),
    );
    expect(denials.map((row) => row.errorCode)).toEqual([
      'ERR_AWS_CONTAINER_DENIED',
      'ERR_AWS_CONTAINER_DENIED',
    ]);
  });

  it.each(awsHelpers)(
    '$name: STS errors and an unreachable or hanging STS fail fast with ERR_AWS_STS; the daemon stays up',
    async (helper) => {
      const cases: [string, RegExp][] = [
        ['failing', /AccessDenied/],
        ['unreachable', /ECONNREFUSED/],
        ['hanging', /did not answer within 1000 ms/],
      ];
      const failedBefore = failing.actions('AssumeRole').length;
      for (const [name, reason] of cases) {
        const started = Date.now();
        const result = await runHelper(helper.argv(home, [name]), home.env);
        expect(result.code, name).not.toBe(0);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(reason);
        expect(result.stderr).toContain('(ERR_AWS_STS)');
        expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
        // Bounded by the configured timeout (plus process start), not by a retry storm.
        expect(Date.now() - started).toBeLessThan(10_000);
      }
      expect(failing.actions('AssumeRole').length - failedBefore).toBe(1);
      expect((await runCli(home, ['daemon', 'status'])).code).toBe(0);
    },
  );

  it.each(awsHelpers)(
    '$name: a credential the policy does not permit exits 3; one without base keys says how to set them; web-identity needs an identity provider',
    async (helper) => {
      const run = (name: string) => runHelper(helper.argv(home, [name]), home.env);
      const denied = await run('nopolicy');
      expect(denied.code).toBe(3);
      expect(denied.stdout).toBe('');
      expect(denied.stderr).toMatch(/^agentid: denied by policy.*\(ERR_POLICY_DENIED\)\n$/);

      const nokeys = await run('nokeys');
      expect(nokeys.code).toBe(2);
      expect(nokeys.stderr).toContain('agentid aws set-base-keys nokeys');

      // No [idp] here: web-identity says what to configure (the login path: aws-web-identity.test.ts).
      const webIdentity = await run('webid');
      expect(webIdentity.code).toBe(2);
      expect(webIdentity.stderr).toContain('ERR_IDP_NOT_CONFIGURED');
    },
  );

  it('exec --aws with a credential policy does not permit exits 3 before the command starts, saying why', async () => {
    const marker = join(home.dir, 'aws-started');
    const denied = await runCli(
      home,
      ['exec', '--agent', 'demo', '--aws', 'nopolicy', '--', 'sh', '-c', 'echo > "$0"', marker],
      { env: awsEnv },
    );
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain(
      'denied by policy: before starting the command: no policy can permit aws on Credential::"nopolicy" for Agent::"demo"',
    );
    expect(existsSync(marker)).toBe(false);
    const rows = (await runCli(home, ['audit', '--json', '--action', 'aws', '--decision', 'deny'])).stdout;
    expect(JSON.parse(rows.trim().split('\n').at(-1) ?? '{}')).toMatchObject({
      agent: 'demo',
      resource: 'nopolicy',
      errorCode: 'ERR_POLICY_DENIED',
    });
    // The session it opened is closed again: its end is the last row.
    const last = (await runCli(home, ['audit', '--json', '--limit', '1'])).stdout;
    expect(JSON.parse(last)).toMatchObject({ action: 'session.end', agent: 'demo' });
  });

  it("takes an emulator's keys (moto's testing/testing) with a warning, and they work against it", async () => {
    const set = await runCli(home, ['aws', 'set-base-keys', 'nokeys'], {
      env: { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' },
    });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toContain('agentid: warning: the keys look like placeholders: fine for an emulator');
    const issued = await runCli(home, ['aws', 'credential-process', 'nokeys']);
    expect(issued.code, issued.stderr).toBe(0);
    expect(JSON.parse(issued.stdout)).toMatchObject({ Version: 1 });
    // `secret ls` says base keys are held, never what they are.
    const ls = await runCli(home, ['secret', 'ls']);
    expect(ls.stdout).toContain(
      'kept by agentid itself:\n  AWS base keys of credential dev (agentid aws set-base-keys dev)\n',
    );
    expect(ls.stdout).not.toContain('testing');
    expect(ls.stdout).not.toContain(BASE_SECRET);
    // A paste gone wrong is still refused: a space in the id.
    const bad = await runCli(home, ['aws', 'set-base-keys', 'nokeys'], {
      env: { AWS_ACCESS_KEY_ID: 'AKIA WITH SPACE', AWS_SECRET_ACCESS_KEY: 'x' },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('without spaces');
  });

  it("keeps the AWS SDK's Node version notice out of the daemon log", () => {
    expect(assumeRoleCalls().length).toBeGreaterThan(0);
    expect(daemon.log()).not.toContain('NodeVersionSupportWarning');
  });

  it('audits every issue with the access key fingerprint, role and session name, never a secret', async () => {
    const rows = auditRows(await runCli(home, ['audit', '--json', '--action', 'aws', '--decision', 'allow']));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.credentialFingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(row.expiresAt).toBeTruthy();
      expect(row.reason).toContain(`role=${ROLE}`);
      expect(row.reason).toMatch(/session=[\w+=,.@-]+/);
    }
    const audit = readFileSync(home.auditDb);
    expect(audit.includes(BASE_SECRET)).toBe(false);
    expect(audit.includes(BASE_KEY_ID)).toBe(false);
    expect(daemon.log()).not.toContain(BASE_SECRET);
  });
});

function auditRows(result: Result): Record<string, unknown>[] {
  return result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Lines of a child's stdout, one at a time, as they arrive. */
function readLines(child: ChildProcess): { next(): Promise<string> } {
  let buffer = '';
  const waiting: ((line: string) => void)[] = [];
  const ready: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n')) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else ready.push(line);
    }
  });
  return {
    next: () => {
      const line = ready.shift();
      return line !== undefined ? Promise.resolve(line) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}
