/**
 * The secretless gateway in proxy mode (`agentid exec --http ROUTES --http-proxy`), end to end:
 * clients that cannot change their base URL reach a real HTTPS API and a real git server
 * (`git http-backend` behind TLS), both with a CA of the test's own, through HTTPS_PROXY. The
 * gateway terminates TLS for the route hosts with a leaf of the session CA (which the child trusts
 * through the CA bundle variables) and attaches the credential: curl, Python requests, Node with
 * undici's EnvHttpProxyAgent, and `git clone`/`git push` with a GitHub App token narrowed to the
 * repository. Hosts no route names are tunnelled untouched, or refused under
 * `other_hosts = "deny"`; the session CA never vouches for them.
 */
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHttp, git, makeAcmeRepos, startGitHttp } from '../peers/git-http.js';
import { type GithubApi, startGithubApi, tokenAllows } from '../peers/github-api.js';
import { type HttpsUpstream, startHttpsUpstream } from '../peers/https-upstream.js';
import { makeTestCa, type TestCa } from '../peers/test-ca.js';
import { missing } from '../peers/tools.js';
import { filesContaining } from './files.js';
import {
  auditRowsOf,
  type Daemon,
  type Home,
  makeHome,
  runCli,
  startDaemon,
  writePolicy,
} from './harness.js';

const SECRET = `sk-proxy-${Date.now()}-${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 24)}`;
const undiciPath = resolve('node_modules/undici/index.js');
const skip = missing('openssl') ?? missing('curl') ?? missing('git') ?? missing('python3-requests');

interface AuditLine {
  seq: number;
  action: string;
  decision: string;
  resource: string | null;
  reason: string | null;
  errorCode: string | null;
  policyIds: string[];
}

/** A home whose daemon serves routes `api` (static) and `git` (GitHub App) on the two upstreams. */
function proxyHome(config: {
  upstream: string;
  gitUrl: string;
  githubApi: string;
  ca: TestCa;
  otherHosts: string;
}): Home {
  const home = makeHome(
    `[secrets]
backend = "file"

[gateway]
other_hosts = "${config.otherHosts}"

[credentials.api]
type = "static"
secret = "api-key"

[credentials.gh]
type = "github-app"
app_id = 4242
private_key = "gh-app-key"
api_url = "${config.githubApi}"
permissions = { contents = "write" }
timeout_ms = 5000

[http.api]
upstream = "${config.upstream}/v1"
credential = "api"
ca_file = "${config.ca.caFile}"

[http.git]
upstream = "${config.gitUrl}"
credential = "gh"
ca_file = "${config.ca.caFile}"

[http.admin]
upstream = "${config.upstream}/admin"
credential = "api"
ca_file = "${config.ca.caFile}"
`,
  );
  writePolicy(home, 'gateway.cedar', [
    '@id("session-http") permit(principal, action == Action::"http", resource)',
    '  when { context has session && (principal == Agent::"demo" || principal == Agent::"reader") };',
    '@id("no-admin") forbid(principal, action == Action::"http", resource == Route::"admin");',
    // Read-only git for "reader": the push's POST to git-receive-pack is refused by path.
    '@id("reader-no-push") forbid(principal == Agent::"reader", action == Action::"http", resource == Route::"git")',
    '  when { context.request.path like "*/git-receive-pack" };',
  ]);
  return home;
}

describe.skipIf(skip !== null)('gateway, proxy mode', () => {
  let ca: TestCa;
  let upstream: HttpsUpstream;
  let other: HttpsUpstream;
  let githubApi: GithubApi;
  let gitServer: GitHttp;
  let home: Home;
  let daemon: Daemon;
  let denyHome: Home;
  let denyDaemon: Daemon;
  let work: string;
  let repos: string;
  const gitEnv = (dir: string): NodeJS.ProcessEnv => ({
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(dir, 'gitconfig'),
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
  });

  beforeAll(async () => {
    ca = makeTestCa();
    upstream = await startHttpsUpstream(ca);
    // Another host, reachable only around the routes: 127.0.0.2 is loopback too, but not 127.0.0.1.
    other = await startHttpsUpstream(ca, '127.0.0.2', '127.0.0.2');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    githubApi = await startGithubApi({ appId: '4242', publicKey, installations: { acme: 77 } });
    repos = mkdirTemp('repos');
    makeAcmeRepos(repos, mkdirTemp('seed'));
    gitServer = await startGitHttp({
      root: repos,
      tls: { cert: ca.cert, key: ca.key },
      authorize: (a) => tokenAllows(githubApi, a),
    });

    const settings = { upstream: upstream.url, gitUrl: gitServer.url, githubApi: githubApi.url, ca };
    home = proxyHome({ ...settings, otherHosts: 'tunnel' });
    denyHome = proxyHome({ ...settings, otherHosts: 'deny' });
    work = join(home.dir, 'work');
    mkdirSync(work);
    writeFileSync(join(home.dir, 'gitconfig'), '[user]\n\tname = agent\n\temail = agent@example.test\n');
    daemon = await startDaemon(home);
    denyDaemon = await startDaemon(denyHome);
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    for (const h of [home, denyHome]) {
      expect((await runCli(h, ['secret', 'set', 'api-key'], { input: SECRET })).code).toBe(0);
      expect((await runCli(h, ['secret', 'set', 'gh-app-key'], { input: pem })).code).toBe(0);
    }
  }, 90_000);

  afterAll(async () => {
    await Promise.all([daemon?.stop(), denyDaemon?.stop()]);
    await Promise.all([upstream?.close(), other?.close(), githubApi?.close(), gitServer?.close()]);
    home?.cleanup();
    denyHome?.cleanup();
    if (ca) rmSync(ca.dir, { recursive: true, force: true });
  });

  function mkdirTemp(name: string): string {
    const dir = join(ca.dir, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  const inSessionAs = (agent: string, h: Home, script: string, ...args: string[]) =>
    runCli(
      h,
      [
        'exec',
        '--agent',
        agent,
        '--http',
        'api,git,admin',
        '--http-proxy',
        '--',
        'sh',
        '-c',
        script,
        ...args,
      ],
      { env: gitEnv(h.dir) },
    );
  const inSession = (h: Home, script: string, ...args: string[]) => inSessionAs('demo', h, script, ...args);

  const audit = (h: Home, action: string) => auditRowsOf<AuditLine>(h, action);

  it('curl, Python requests and Node (EnvHttpProxyAgent) reach the route host with the credential attached', async () => {
    const before = upstream.requests.length;
    const envFile = join(work, 'proxy.env');
    const bundleCopy = join(work, 'bundle.pem');
    const result = await inSession(
      home,
      `env > "$0"; cp "$SSL_CERT_FILE" "$1"
       curl -sS --fail-with-body "${upstream.url}/v1/echo?via=curl" && echo
       python3 -c 'import requests; print(requests.get("${upstream.url}/v1/echo?via=python").json()["path"])'
       "${process.execPath}" -e '
         const { EnvHttpProxyAgent, fetch } = require(process.argv[1]);
         fetch("${upstream.url}/v1/echo?via=node", { dispatcher: new EnvHttpProxyAgent() })
           .then(async (r) => console.log((await r.json()).path));' "${undiciPath}"`,
      envFile,
      bundleCopy,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout.trim().split('\n');
    expect(JSON.parse(out[0] ?? '{}').authorization).toBe(`Bearer ${'*'.repeat(SECRET.length)}`);
    expect(out.slice(1)).toEqual(['/v1/echo?via=python', '/v1/echo?via=node']);
    const seen = upstream.requests.slice(before);
    expect(seen.map((r) => r.path)).toEqual([
      '/v1/echo?via=curl',
      '/v1/echo?via=python',
      '/v1/echo?via=node',
    ]);
    for (const r of seen) expect(r.headers.authorization).toBe(`Bearer ${SECRET}`);

    // What the child was given: proxy variables, the bundle in every trust variable, no secret.
    const env = readFileSync(envFile, 'utf8');
    expect(env).not.toContain(SECRET);
    const proxyUrl = env.match(/^HTTPS_PROXY=(.*)$/m)?.[1];
    expect(proxyUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const name of ['HTTP_PROXY', 'https_proxy', 'http_proxy'])
      expect(env).toContain(`${name}=${proxyUrl}\n`);
    expect(env).toMatch(/^NO_PROXY=127\.0\.0\.1$/m);
    const bundlePath = env.match(/^SSL_CERT_FILE=(.*)$/m)?.[1] ?? '';
    for (const name of [
      'NODE_EXTRA_CA_CERTS',
      'REQUESTS_CA_BUNDLE',
      'CURL_CA_BUNDLE',
      'GIT_SSL_CAINFO',
      'AWS_CA_BUNDLE',
    ]) {
      expect(env).toContain(`${name}=${bundlePath}\n`);
    }
    // The bundle held only public certificates, and went with the session.
    const bundle = readFileSync(bundleCopy, 'utf8');
    expect(bundle).not.toContain(SECRET);
    expect(bundle).not.toMatch(/PRIVATE KEY/);
    expect(existsSync(bundlePath)).toBe(false);
    const sessionCa = new X509Certificate(bundle.slice(bundle.lastIndexOf('-----BEGIN CERTIFICATE-----')));
    expect(sessionCa.subject).toMatch(/CN=agentid session /);
    const text = spawnSync('openssl', ['x509', '-noout', '-text'], {
      input: sessionCa.toString(),
      encoding: 'utf8',
    }).stdout;
    expect(text).toMatch(/X509v3 Name Constraints: critical\s+Permitted:\s+DNS:localhost\s+Excluded:/);
  });

  it('git clone and git push through the proxy with a token narrowed to the repository', async () => {
    const issuedBefore = githubApi.tokens.size;
    const url = `${gitServer.url}/acme/widgets.git`;
    const cloned = await inSession(home, 'cd "$0" && git clone --quiet "$1" widgets', work, url);
    expect(cloned.stderr).toBe('');
    expect(cloned.code).toBe(0);
    const checkout = join(work, 'widgets');
    expect(readFileSync(join(checkout, 'README'), 'utf8')).toBe('widgets\n');
    writeFileSync(join(checkout, 'CHANGE'), 'pushed through the gateway\n');
    const env = { ...process.env, ...gitEnv(home.dir) };
    git(['add', 'CHANGE'], { cwd: checkout, env });
    git(['commit', '--quiet', '-m', 'via gateway'], { cwd: checkout, env });
    const pushed = await inSession(home, 'cd "$0" && git push --quiet origin main', checkout);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(git(['--git-dir', join(repos, 'acme/widgets.git'), 'log', '--format=%s', 'main'])).toContain(
      'via gateway',
    );

    // The token: asked of GitHub for exactly this repository, never seen by git's side.
    const created = githubApi.requests.filter((r) => r.path === '/app/installations/77/access_tokens');
    expect(created.length).toBeGreaterThan(0);
    expect(
      created.every(
        (r) => JSON.stringify((r.body as { repositories: string[] }).repositories) === '["widgets"]',
      ),
    ).toBe(true);
    const tokens = [...githubApi.tokens.keys()].slice(issuedBefore);
    expect(tokens.length).toBeGreaterThan(0);
    expect(gitServer.attempts.filter((a) => a.allowed && a.service === 'receive').length).toBeGreaterThan(0);
    const gitConfig = readFileSync(join(checkout, '.git', 'config'), 'utf8');
    for (const token of tokens) {
      expect(`${cloned.stdout}${pushed.stdout}${pushed.stderr}`).not.toContain(token);
      expect(gitConfig).not.toContain(token);
      expect(filesContaining(work, token)).toEqual([]);
    }
  });

  it('each client is refused a route policy forbids: 403 naming the policy, audited, never upstream', async () => {
    const before = upstream.requests.length;
    const url = `${upstream.url}/admin/users`;
    const result = await inSession(
      home,
      `curl -sS -w "\\n%{http_code}\\n" "${url}"
       python3 -c 'import requests; r = requests.get("${url}"); print(r.status_code, r.json()["error"]["policyIds"][0])'
       "${process.execPath}" -e '
         const { EnvHttpProxyAgent, fetch } = require(process.argv[1]);
         fetch("${url}", { dispatcher: new EnvHttpProxyAgent() })
           .then(async (r) => console.log(r.status, (await r.json()).error.policyIds[0]));' "${undiciPath}"`,
    );
    expect(result.stderr).toBe('');
    const [curlBody, curlStatus, python, node] = result.stdout.trim().split('\n');
    expect(curlStatus).toBe('403');
    expect(JSON.parse(curlBody ?? '{}').error).toMatchObject({
      code: 'ERR_POLICY_DENIED',
      policyIds: ['gateway.cedar:no-admin'],
    });
    expect([python, node]).toEqual(['403 gateway.cedar:no-admin', '403 gateway.cedar:no-admin']);
    expect(upstream.requests.length).toBe(before);
    const denies = (await audit(home, 'http')).filter((r) => r.decision === 'deny' && r.resource === 'admin');
    expect(denies).toHaveLength(3);
    for (const row of denies) expect(row.errorCode).toBe('ERR_POLICY_DENIED');
  });

  it('git: an agent that may only read clones, and its push is refused by policy', async () => {
    const dir = join(work, 'reader');
    mkdirSync(dir);
    const url = `${gitServer.url}/acme/widgets.git`;
    const cloned = await inSessionAs('reader', home, 'cd "$0" && git clone --quiet "$1" widgets', dir, url);
    expect(cloned.code, cloned.stderr).toBe(0);
    const checkout = join(dir, 'widgets');
    const env = { ...process.env, ...gitEnv(home.dir) };
    writeFileSync(join(checkout, 'READER'), 'not allowed\n');
    git(['add', 'READER'], { cwd: checkout, env });
    git(['commit', '--quiet', '-m', 'reader change'], { cwd: checkout, env });
    const pushed = await inSessionAs('reader', home, 'cd "$0" && git push --quiet origin main', checkout);
    expect(pushed.code).not.toBe(0);
    expect(pushed.stderr).toMatch(/403/);
    expect(git(['--git-dir', join(repos, 'acme/widgets.git'), 'log', '--format=%s', 'main'])).not.toContain(
      'reader change',
    );
    const denied = (await audit(home, 'http')).filter((r) => r.decision === 'deny' && r.resource === 'git');
    expect(denied.at(-1)?.reason).toMatch(/reader-no-push/);
  });

  it('tunnels a host no route names untouched, and audits the tunnel', async () => {
    const before = other.requests.length;
    const result = await inSession(
      home,
      `curl -sS --fail-with-body --cacert "$0" -H "Authorization: Bearer own" "${other.url}/echo"`,
      ca.caFile,
    );
    expect(result.code, result.stderr).toBe(0);
    const seen = other.requests.slice(before);
    expect(seen).toHaveLength(1);
    // Untouched: the agent's own header, not the route's credential. And curl trusted only the
    // test CA here, so the certificate it accepted was the host's own, not one of the session CA.
    expect(seen[0]?.headers.authorization).toBe('Bearer own');
    const rows = await audit(home, 'http.other');
    expect(rows.at(-1)).toMatchObject({ decision: 'allow', resource: `127.0.0.2:${other.port}` });
    // The tunnel ended: its result row counts both directions.
    const results = (await audit(home, 'http.result')).filter(
      (r) => r.resource === `127.0.0.2:${other.port}`,
    );
    expect(results.at(-1)?.reason).toMatch(/^tunnel closed; \d+ bytes out; \d+ bytes back/);
  });

  it('refuses a host no route names under other_hosts = "deny", with a 403 and a deny row', async () => {
    const before = other.requests.length;
    const result = await inSession(
      denyHome,
      `curl -sS --cacert "$0" "${other.url}/echo"; echo "exit $?"`,
      ca.caFile,
    );
    expect(result.stdout).toMatch(/exit 56/);
    expect(result.stderr).toMatch(/CONNECT tunnel failed, response 403/);
    expect(other.requests.length).toBe(before);
    const rows = await audit(denyHome, 'http.other');
    expect(rows.at(-1)).toMatchObject({
      decision: 'deny',
      resource: `127.0.0.2:${other.port}`,
      errorCode: 'ERR_GATEWAY_HOST_DENIED',
    });
    // The routes still work in that session.
    const routed = await inSession(
      denyHome,
      `curl -sS --fail-with-body "${upstream.url}/v1/still" -o /dev/null`,
    );
    expect(routed.code, routed.stderr).toBe(0);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'refuses another uid, even a process of the session that dropped to it: at a route host and at a tunnel',
    async () => {
      const before = [upstream.requests.length, other.requests.length];
      // The session's own child switches to uid 65534 and keeps the proxy variables: the TCP
      // owner is then another uid, refused before attestation. -k: the bundle is readable by its
      // owner only, and what is tested is the gateway's refusal, not curl's trust.
      const asNobody = 'setpriv --reuid 65534 --regid 65534 --clear-groups curl -sS -k';
      const result = await inSession(
        home,
        `${asNobody} -w "\\n%{http_code}\\n" "${upstream.url}/v1/echo"
         ${asNobody} "${other.url}/echo"; echo "exit $?"`,
      );
      const [body, status, tunnel] = result.stdout.trim().split('\n');
      expect(status).toBe('403');
      expect(JSON.parse(body ?? '{}').error.code).toBe('ERR_PEER_UID');
      expect(tunnel).toBe('exit 56');
      expect(result.stderr).toMatch(/CONNECT tunnel failed, response 403/);
      expect([upstream.requests.length, other.requests.length]).toEqual(before);
      const refusals = [...(await audit(home, 'http')), ...(await audit(home, 'http.other'))].filter(
        (r) => r.errorCode === 'ERR_PEER_UID',
      );
      expect(refusals.map((r) => r.decision)).toEqual(['deny', 'deny']);
    },
  );

  it('presents only route-host certificates: another name through a route host’s tunnel fails verification', async () => {
    // CONNECT to the route host, but the client wants evil.example: the gateway's leaf names only
    // localhost, and a name check against evil.example fails even though the chain is trusted.
    const result = await inSession(
      home,
      `echo | openssl s_client -proxy "\${HTTPS_PROXY#http://}" -connect "localhost:${upstream.port}" -servername evil.example -verify_hostname evil.example -CAfile "$SSL_CERT_FILE" 2>&1 | grep -E "Verify return code|subject="`,
    );
    expect(result.stdout).toMatch(/subject=CN = localhost/);
    expect(result.stdout).toMatch(/Verify return code: 62 \(hostname mismatch\)/);
    const ok = await inSession(
      home,
      `echo | openssl s_client -proxy "\${HTTPS_PROXY#http://}" -connect "localhost:${upstream.port}" -verify_hostname localhost -CAfile "$SSL_CERT_FILE" 2>&1 | grep -E "Verify return code"`,
    );
    expect(ok.stdout).toMatch(/Verify return code: 0 \(ok\)/);
  });
});
