/**
 * The checks of `agentid doctor`, pure: each turns facts gathered elsewhere (cli/doctor/probe.ts)
 * into one pass/fail/skip line with the fix, so every verdict and every fix text has a table
 * test and none of them needs a real machine in a bad state.
 */
import type { StatusResponse } from '../../src/protocol/index.js';
import { profileNames, profileValue } from '../aws-config-file.js';
import { describeGitPolicy } from '../format-policy.js';
import { describeGap, describeShipError, describeSink } from '../format-ship.js';
import { probes } from '../setup/helper-command.js';

export interface CheckResult {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'skip';
  detail: string;
  /** What to do about a failure; null when there is nothing to do. */
  fix: string | null;
}

const pass = (id: string, title: string, detail: string): CheckResult => ({
  id,
  title,
  status: 'pass',
  detail,
  fix: null,
});
const fail = (id: string, title: string, detail: string, fix: string): CheckResult => ({
  id,
  title,
  status: 'fail',
  detail,
  fix,
});
const skip = (id: string, title: string, detail: string): CheckResult => ({
  id,
  title,
  status: 'skip',
  detail,
  fix: null,
});

/** package.json engines. */
export const MIN_NODE = [20, 18] as const;

/** The node that runs agentid, and so its helpers (they name it by absolute path). */
export function checkNode(version: string): CheckResult {
  const title = 'Node.js version';
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  // Supported, but past its end of life (April 2026): security fixes come only for 22 and 24.
  const eol = major === 20 ? ' (Node 20 reached end of life in April 2026: move to 22 or 24)' : '';
  return ok
    ? pass('node', title, `node ${version}${eol}`)
    : fail(
        'node',
        title,
        `node ${version} is older than ${MIN_NODE.join('.')}`,
        `install Node.js ${MIN_NODE.join('.')} or later (e.g. \`nvm install 22\`)`,
      );
}

export interface DirFacts {
  path: string;
  /** null: the directory does not exist yet. */
  stat: { isDirectory: boolean; uid: number; mode: number } | null;
}

/** The socket's directory: the daemon refuses to listen in one that others can reach. */
export function checkSocketDir(dir: DirFacts, uid: number): CheckResult {
  const id = 'socket-dir';
  const title = 'socket directory';
  const { path, stat } = dir;
  if (stat === null) return pass(id, title, `${path} does not exist yet; the daemon creates it 0700`);
  if (!stat.isDirectory) return fail(id, title, `${path} is not a directory`, `remove ${path}`);
  if (stat.uid !== uid) {
    return fail(
      id,
      title,
      `${path} is owned by uid ${stat.uid}, not by you (uid ${uid})`,
      `remove ${path}, or set AGENTID_HOME to a private directory`,
    );
  }
  const mode = stat.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    return fail(id, title, `${path} has mode ${mode.toString(8)}`, `chmod 700 ${path}`);
  }
  return pass(id, title, `${path} is private (${mode.toString(8)}, yours)`);
}

/** config.toml as this CLI reads it, and as the running daemon runs it (a refused edit, keys waiting for a restart). */
export function checkConfig(
  file: string,
  error: { code: string; message: string } | null,
  status: StatusResponse | null,
): CheckResult {
  const id = 'config';
  const title = 'config.toml';
  const running = status?.config;
  if (error !== null) {
    const kept = running
      ? `; the daemon keeps running the last good one (sha256 ${running.sha256 ?? 'none'})`
      : '';
    return fail(
      id,
      title,
      `${error.message} (${error.code})${kept}`,
      `fix ${file}; see README "config.toml"`,
    );
  }
  if (running?.lastError) {
    return fail(
      id,
      title,
      `the daemon refused the last edit: ${running.lastError.message}`,
      `fix ${file} (the daemon reloads it when it changes)`,
    );
  }
  if (running && running.restartNeeded.length > 0) {
    return fail(
      id,
      title,
      `changed keys apply only after a daemon restart: ${running.restartNeeded.join(', ')}`,
      'agentid daemon stop && agentid daemon start',
    );
  }
  return pass(id, title, `${file} is valid (or absent: built-in defaults)${running ? ' and in force' : ''}`);
}

export function checkDaemon(
  socket: string,
  status: StatusResponse | null,
  error: string | null,
): CheckResult {
  const title = 'daemon reachable';
  if (status) return pass('daemon', title, `pid ${status.pid}, version ${status.version}, socket ${socket}`);
  return fail(
    'daemon',
    title,
    error ?? `nothing answers on ${socket}`,
    'agentid daemon start (or `agentid daemon run` to see why it does not start)',
  );
}

/** From the daemon's status: the secret store it uses and where the JWT signing key ended up. */
export function checkKeychain(status: StatusResponse | null): CheckResult {
  const id = 'keychain';
  const title = 'keychain reachable';
  if (!status) return skip(id, title, 'needs the daemon');
  const { backend, warning } = status.secrets;
  if (status.signingKey === 'memory') {
    return fail(
      id,
      title,
      `the daemon could not open the ${backend} secret store; its signing key lives in memory only${warning ? ` (${warning})` : ''}`,
      'start or unlock your keychain (gnome-keyring / KWallet / macOS Keychain), or opt in to ' +
        '[secrets] backend = "file" in config.toml, then `agentid daemon stop`',
    );
  }
  if (status.signingKey !== 'secret-store') {
    return skip(id, title, `the signing key is ${status.signingKey}`);
  }
  return backend === 'file'
    ? pass(id, title, `file backend (opted in; unencrypted)${warning ? `: ${warning}` : ''}`)
    : pass(id, title, `${backend}: the signing key is stored there`);
}

export function checkPolicy(status: StatusResponse | null): CheckResult {
  const id = 'policy';
  const title = 'policy set loaded';
  if (!status) return skip(id, title, 'needs the daemon');
  const { policy } = status;
  if (policy.lastError) {
    return fail(id, title, policy.lastError.message, `agentid policy check --dir ${policy.dir}`);
  }
  if (policy.loadedAt === null) {
    return fail(id, title, 'no policy set is loaded: every credential is denied', 'agentid policy check');
  }
  const where =
    policy.source === 'default' ? 'the built-in default policy' : `${policy.files.length} file(s)`;
  return pass(id, title, `${policy.policyCount} policies from ${where}`);
}

/** Policy from git: fails when no commit is in force, or the last pull was refused or failed. */
export function checkPolicyGit(status: StatusResponse | null): CheckResult {
  const id = 'policy-git';
  const title = 'policy from git';
  if (!status) return skip(id, title, 'needs the daemon');
  const git = status.policyGit ?? null;
  if (git === null) return skip(id, title, 'no [policy] git configured');
  const error = git.lastError;
  const detail = `${describeGitPolicy(git)}${error ? `; last pull ${error.at}: ${error.message} (${error.code})` : ''}`;
  if (error === null && git.commit !== null) return pass(id, title, detail);
  const fix =
    error?.code === 'ERR_POLICY_GIT_FETCH'
      ? `check that ${git.url} is reachable from here, then \`agentid policy pull\``
      : error?.code === 'ERR_POLICY_GIT_UNSIGNED' || error?.code === 'ERR_POLICY_GIT_UNTRUSTED'
        ? `have ${git.ref} point to a commit signed by a key in ${git.allowedSigners}, then \`agentid policy pull\``
        : `fix the policies at ${git.ref} (\`agentid policy check --dir <checkout>/${git.path}\`), then \`agentid policy pull\``;
  return fail(id, title, detail, fix);
}

/**
 * Audit shipping: fails while a sink is retrying (its collector is down or its file unwritable) or
 * found a gap since the daemon started; the detail always has each sink's cursor, lag and last error.
 */
export function checkAuditShip(status: StatusResponse | null): CheckResult {
  const id = 'audit-ship';
  const title = 'audit shipping';
  if (!status) return skip(id, title, 'needs the daemon');
  const sinks = status.auditShip ?? [];
  if (sinks.length === 0) return skip(id, title, 'no [audit.ship] configured');
  const detail = sinks
    .map((s) => [describeSink(s), describeShipError(s), describeGap(s)].filter((l) => l !== null).join('; '))
    .join(' | ');
  const down = sinks.filter((s) => s.state === 'retrying');
  const gaps = sinks.filter((s) => s.gap?.sinceStart);
  if (down.length === 0 && gaps.length === 0) return pass(id, title, detail);
  const fixes = [
    ...down.map(
      (s) => `make ${s.target} reachable (is the collector running? is the URL in [audit.ship] right?)`,
    ),
    ...(gaps.length > 0
      ? [
          'raise [audit] retain_days above the longest collector outage; see `agentid audit --action audit.ship.gap`',
        ]
      : []),
  ];
  return fail(id, title, detail, fixes.join('; '));
}

export type Discovery = { ok: true; issuer: string; date: string | null } | { ok: false; error: string };

export function checkIdp(configured: string | null, discovery: Discovery | null): CheckResult {
  const id = 'idp';
  const title = 'IdP discovery reachable';
  if (configured === null || discovery === null) return skip(id, title, 'no [idp] configured (local user)');
  const url = `${configured.replace(/\/$/, '')}/.well-known/openid-configuration`;
  if (!discovery.ok) {
    return fail(
      id,
      title,
      `${url}: ${discovery.error}`,
      'check the network/VPN and [idp] issuer in config.toml',
    );
  }
  if (discovery.issuer !== configured) {
    return fail(
      id,
      title,
      `${url} names issuer ${discovery.issuer}, not ${configured}`,
      `set [idp] issuer = "${discovery.issuer}" in config.toml`,
    );
  }
  return pass(id, title, url);
}

/** ID tokens carry iat/exp: a clock far off makes every login fail verification. */
export const MAX_SKEW_MS = 60_000;

export function checkClockSkew(discovery: Discovery | null, now: Date): CheckResult {
  const id = 'clock';
  const title = 'clock skew against the IdP';
  if (discovery === null) return skip(id, title, 'no [idp] configured');
  if (!discovery.ok) return skip(id, title, 'the IdP did not answer');
  const theirs = discovery.date === null ? Number.NaN : Date.parse(discovery.date);
  if (Number.isNaN(theirs)) return skip(id, title, 'the IdP sent no Date header');
  // The Date header has one-second resolution: plenty against a minute of tolerance.
  const skew = now.getTime() - theirs;
  const seconds = Math.round(Math.abs(skew) / 1000);
  if (Math.abs(skew) <= MAX_SKEW_MS) return pass(id, title, `${seconds} s`);
  return fail(
    id,
    title,
    `this clock is ${seconds} s ${skew > 0 ? 'ahead of' : 'behind'} the IdP's`,
    'turn on time sync (e.g. `timedatectl set-ntp true`, or System Settings > Date & Time)',
  );
}

export interface GitHelperEntry {
  /** e.g. `credential.https://github.com.helper`. */
  key: string;
  value: string;
}

/** A command doctor ran to see that what a setup wrote still starts agentid (cli/setup/helper-command.ts). */
export interface ProbeRun {
  command: string;
  code: number;
  /** The first line of what it printed (stderr first), for the failure detail. */
  output: string;
}

const failedRun = (run: ProbeRun | undefined) => run === undefined || run.code !== 0;
const describeRun = (run: ProbeRun | undefined) =>
  run ? `\`${run.command}\` exits ${run.code}${run.output ? `: ${run.output}` : ''}` : 'not run';

/** The helpers git runs for a host over one scheme: the entries for its URL after the last empty reset. */
function helpersFor(host: string, scheme: string, entries: readonly GitHelperEntry[]): string[] {
  const mine = entries.filter((e) => {
    const m = /^credential\.(https?):\/\/([^/]+?)\/?\.helper$/i.exec(e.key);
    return m?.[1]?.toLowerCase() === scheme && m[2]?.toLowerCase() === host.toLowerCase();
  });
  const reset = mine.map((e) => e.value).lastIndexOf('');
  return mine.slice(reset + 1).map((e) => e.value);
}

/** Per host, the agentid helpers git runs and the schemes they serve. */
export function gitHelpersOfHosts(
  hosts: readonly { credential: string; host: string }[],
  entries: readonly GitHelperEntry[],
): { credential: string; host: string; helpers: { scheme: string; probe: string }[] }[] {
  return hosts.map((h) => ({
    ...h,
    helpers: ['https', 'http'].flatMap((scheme) =>
      helpersFor(h.host, scheme, entries).flatMap((value) => {
        const probe = probes.gitHelper(value);
        return probe ? [{ scheme, probe }] : [];
      }),
    ),
  }));
}

/** Every git host of a configured git credential has an agentid helper, and it runs. */
export function checkGit(
  hosts: readonly { credential: string; host: string }[],
  entries: readonly GitHelperEntry[] | { error: string },
  runs: ReadonlyMap<string, ProbeRun>,
): CheckResult {
  const id = 'git';
  const title = 'git uses agentid';
  if (hosts.length === 0)
    return skip(id, title, 'no git credential (github-app or static with host) configured');
  if ('error' in entries) return fail(id, title, entries.error, 'install git');
  const found = gitHelpersOfHosts(hosts, entries);
  const fixFor = (h: { host: string; credential: string; helpers: { scheme: string }[] }) =>
    `agentid setup git --host ${h.helpers[0]?.scheme === 'http' ? `http://${h.host}` : h.host} --credential ${h.credential}`;
  const missing = found.filter((h) => h.helpers.length === 0);
  if (missing.length > 0) {
    return fail(
      id,
      title,
      `git does not ask agentid for ${missing.map((h) => h.host).join(', ')}`,
      missing.map(fixFor).join(' && '),
    );
  }
  const broken = found.filter((h) => h.helpers.some((helper) => failedRun(runs.get(helper.probe))));
  if (broken.length > 0) {
    const why = broken.map((h) => {
      const bad = h.helpers.find((helper) => failedRun(runs.get(helper.probe)));
      return `the helper for ${h.host} does not run (${describeRun(bad && runs.get(bad.probe))})`;
    });
    return fail(id, title, why.join('; '), `${broken.map(fixFor).join(' && ')} (writes the current paths)`);
  }
  return pass(
    id,
    title,
    found.map((h) => `${h.host} (${[...new Set(h.helpers.map((x) => x.scheme))].join(', ')})`).join(', '),
  );
}

/** Profiles of the AWS config file whose credential_process runs agentid for each credential. */
export function awsProfilesOf(
  credentials: readonly string[],
  text: string | null,
): { credential: string; profile: string; probe: string | null; region: string | null }[] {
  if (text === null) return [];
  return profileNames(text).flatMap((profile) => {
    const command = profileValue(text, profile, 'credential_process') ?? '';
    const credential = credentials.find((c) =>
      // `<launcher> aws credential-process NAME`, or the thin helper `…/aws-credential-process NAME`.
      new RegExp(`\\baws[\\s-]credential-process'?\\s+${c.replace(/\./g, '\\.')}\\s*$`).test(command),
    );
    if (!credential) return [];
    return [
      {
        credential,
        profile,
        probe: probes.awsCredentialProcess(command),
        region: profileValue(text, profile, 'region'),
      },
    ];
  });
}

/** Every configured aws credential is the credential_process of some profile, which runs and has a region. */
export function checkAws(
  credentials: readonly string[],
  file: string,
  text: string | null,
  runs: ReadonlyMap<string, ProbeRun>,
): CheckResult {
  const id = 'aws';
  const title = 'AWS config uses agentid';
  if (credentials.length === 0) return skip(id, title, 'no aws credential configured');
  const profiles = awsProfilesOf(credentials, text);
  const missing = credentials.filter((c) => !profiles.some((p) => p.credential === c));
  if (missing.length > 0) {
    return fail(
      id,
      title,
      `${text === null ? `${file} does not exist` : file}: no profile uses ${missing.join(', ')}`,
      missing.map((c) => `agentid setup aws --profile ${c} --credential ${c}`).join(' && '),
    );
  }
  const problems = profiles.flatMap((p) => {
    const run = p.probe === null ? undefined : runs.get(p.probe);
    if (failedRun(run)) return [{ ...p, why: `its credential_process does not run (${describeRun(run)})` }];
    if (p.region === null) return [{ ...p, why: 'it has no region (the AWS CLI asks for one)' }];
    return [];
  });
  if (problems.length > 0) {
    return fail(
      id,
      title,
      `${file}: ${problems.map((p) => `profile ${p.profile}: ${p.why}`).join('; ')}`,
      problems
        .map((p) => `agentid setup aws --profile ${p.profile} --credential ${p.credential}`)
        .join(' && '),
    );
  }
  return pass(id, title, `${file}: ${profiles.map((p) => `${p.profile} → ${p.credential}`).join(', ')}`);
}

/** A bare `agentid` runs this agentid: the README's commands and scripts call it by name. */
export function checkPath(
  found: string | null,
  run: ProbeRun | undefined,
  version: string,
  installShim: string,
): CheckResult {
  const id = 'path';
  const title = 'agentid on PATH';
  if (found === null) return fail(id, title, 'no agentid on PATH', installShim);
  if (failedRun(run)) return fail(id, title, `${found} does not run (${describeRun(run)})`, installShim);
  const theirs = run?.output.replace(/^agentid\s+/, '') ?? '';
  if (theirs !== version) {
    return fail(id, title, `${found} is agentid ${theirs}, this is ${version}`, `${installShim} --force`);
  }
  return pass(id, title, found);
}

/** MCP client configs of this directory whose entries run agentid mcp: each launcher still starts agentid. */
export function checkMcp(
  entries: readonly { file: string; name: string; probe: string }[],
  runs: ReadonlyMap<string, ProbeRun>,
): CheckResult {
  const id = 'mcp';
  const title = 'MCP clients use agentid';
  if (entries.length === 0) return skip(id, title, 'no MCP client config here runs agentid mcp');
  const broken = entries.filter((e) => failedRun(runs.get(e.probe)));
  if (broken.length === 0) return pass(id, title, entries.map((e) => `${e.file}: ${e.name}`).join(', '));
  return fail(
    id,
    title,
    broken
      .map((e) => `${e.file}: ${e.name} does not start agentid (${describeRun(runs.get(e.probe))})`)
      .join('; '),
    'run `agentid setup mcp --client … --server NAME --write -- …` again here (writes the current paths)',
  );
}
